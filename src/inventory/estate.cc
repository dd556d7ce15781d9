#include "tutela/inventory/estate.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::inventory {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

array AsArray(element value) {
  array result;
  if (value.get_array().get(result) != simdjson::SUCCESS) return array();
  return result;
}
object AsObject(element value) {
  object result;
  if (value.get_object().get(result) != simdjson::SUCCESS) return object();
  return result;
}

std::string_view ProviderOfType(std::string_view type) {
  size_t underscore = type.find('_');
  return underscore == std::string_view::npos ? type : type.substr(0, underscore);
}

// What every Terraform importer records about a resource besides its address and values: type, name, module,
// provider, whether it is a data source, and where in the input it was read.
void SetIdentity(std::string_view type, std::string_view name, std::string_view module, std::string_view mode,
                 std::string_view source, Resource* resource) {
  resource->type = type;
  resource->name = name;
  resource->module = module;
  resource->provider = ProviderOfType(type);
  resource->data_source = mode == "data";
  resource->source = source;
}

// Removes every "[...]" instance key from an address: module.a[0].aws_x.y["k"] -> module.a.aws_x.y.
std::string StripInstanceKeys(std::string_view address) {
  std::string out;
  out.reserve(address.size());
  int depth = 0;
  bool in_string = false;
  for (char c : address) {
    if (depth > 0) {
      if (c == '"') in_string = !in_string;
      if (!in_string && c == '[') ++depth;
      if (!in_string && c == ']') --depth;
      continue;
    }
    if (c == '[') {
      depth = 1;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// StripInstanceKeys without a copy when there is nothing to strip; `buffer` holds the result otherwise.
std::string_view ConfigKey(std::string_view address, std::string& buffer) {
  if (address.find('[') == std::string_view::npos) return address;
  buffer = StripInstanceKeys(address);
  return buffer;
}

// The trailing "[...]" of an address, or "".
std::string_view TrailingKey(std::string_view address) {
  if (address.empty() || address.back() != ']') return {};
  size_t open = address.rfind('[');
  return open == std::string_view::npos ? std::string_view{} : address.substr(open);
}

bool GetString(object parent, std::string_view key, std::string_view& out) {
  element value;
  if (parent[key].get(value) != simdjson::SUCCESS) return false;
  return value.get_string().get(out) == simdjson::SUCCESS;
}

// Several keys of one object looked up in a single pass over its fields (object::operator[] passes over them once
// per key): Find(i) is the first value of keys[i], as operator[] would give it.
template <size_t N>
class Fields {
 public:
  Fields(object fields, const std::array<std::string_view, N>& keys) {
    size_t left = N;
    for (auto field : fields) {
      for (size_t i = 0; i < N; ++i) {
        if (found_[i] || field.key != keys[i]) continue;
        values_[i] = field.value;
        found_[i] = true;
        --left;
        break;
      }
      if (left == 0) break;
    }
  }
  bool Find(size_t i, element& out) const {
    if (found_[i]) out = values_[i];
    return found_[i];
  }
  // GetString for keys[i].
  bool String(size_t i, std::string_view& out) const {
    return found_[i] && values_[i].get_string().get(out) == simdjson::SUCCESS;
  }

 private:
  std::array<element, N> values_{};
  std::array<bool, N> found_{};
};

std::string Pointer(const std::string& base, std::string_view key) { return base + "/" + std::string(key); }
std::string Pointer(const std::string& base, size_t index) { return base + "/" + std::to_string(index); }

Status FormatError(const std::string& source, const std::string& pointer, std::string_view problem) {
  return Status::InvalidArgument(source + "#" + pointer + ": " + std::string(problem) +
                                 "; give `terraform show -json` output, a Terraform state or a Tutela snapshot "
                                 "(docs/formats/snapshot.md).");
}

void AppendUtf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Collects the references of every expression under `value` (Terraform configuration "expressions").
void CollectReferences(element value, std::vector<std::string_view>& out) {
  if (value.type() == element_type::OBJECT) {
    object fields = AsObject(value);
    for (auto field : fields) {
      if (field.key == "references" && field.value.type() == element_type::ARRAY) {
        for (element reference : AsArray(field.value)) {
          std::string_view text;
          if (reference.get_string().get(text) == simdjson::SUCCESS) out.emplace_back(text);
        }
      } else {
        CollectReferences(field.value, out);
      }
    }
  } else if (value.type() == element_type::ARRAY) {
    for (element child : AsArray(value)) CollectReferences(child, out);
  }
}

// "aws_s3_bucket.b[0].id" -> "aws_s3_bucket.b"; "data.x.y.z" -> "data.x.y"; var./local./module. -> "".
std::string ResourceOfReference(std::string_view reference) {
  std::string buffer;
  std::string_view rest = ConfigKey(reference, buffer);
  std::string_view parts[3];
  size_t count = 0;
  while (!rest.empty() && count < 3) {
    size_t dot = rest.find('.');
    parts[count++] = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  if (count < 2) return {};
  static constexpr std::string_view kNotResources[] = {"var",   "local", "module",    "each",
                                                       "count", "path",  "terraform", "self"};
  for (std::string_view word : kNotResources) {
    if (parts[0] == word) return {};
  }
  if (parts[0] == "data") {
    if (count < 3) return {};
    return "data." + std::string(parts[1]) + "." + std::string(parts[2]);
  }
  return std::string(parts[0]) + "." + std::string(parts[1]);
}

}  // namespace

std::string_view SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kPlan:
      return "terraform-plan";
    case SourceKind::kState:
      return "terraform-state";
    case SourceKind::kSnapshot:
      return "snapshot";
  }
  return "unknown";
}

Result<std::string> NormalizeEncoding(std::string_view bytes, std::string_view source) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.size() >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
    return std::string(bytes.substr(3));
  }
  bool little = false;
  size_t start = 0;
  if (bytes.size() >= 2 && byte(0) == 0xFF && byte(1) == 0xFE) {
    little = true;
    start = 2;
  } else if (bytes.size() >= 2 && byte(0) == 0xFE && byte(1) == 0xFF) {
    start = 2;
  } else if (bytes.size() >= 2 && byte(0) != 0 && byte(1) == 0) {
    little = true;  // UTF-16LE without a BOM (PowerShell's Out-File)
  } else if (bytes.size() >= 2 && byte(0) == 0 && byte(1) != 0) {
    little = false;  // UTF-16BE without a BOM
  } else {
    return std::string(bytes);
  }
  if ((bytes.size() - start) % 2 != 0) {
    return Status::InvalidArgument(std::string(source) +
                                   ": UTF-16 input has an odd number of bytes; save the file again as UTF-8.");
  }
  std::string out;
  out.reserve((bytes.size() - start) / 2);
  for (size_t offset = start; offset + 1 < bytes.size(); offset += 2) {
    uint32_t unit = little ? (byte(offset) | (byte(offset + 1) << 8)) : ((byte(offset) << 8) | byte(offset + 1));
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (offset + 3 >= bytes.size()) {
        return Status::InvalidArgument(std::string(source) + ": UTF-16 input ends inside a surrogate pair at byte " +
                                       std::to_string(offset) + "; save the file again as UTF-8.");
      }
      uint32_t low =
          little ? (byte(offset + 2) | (byte(offset + 3) << 8)) : ((byte(offset + 2) << 8) | byte(offset + 3));
      if (low < 0xDC00 || low > 0xDFFF) {
        return Status::InvalidArgument(std::string(source) + ": invalid UTF-16 surrogate pair at byte " +
                                       std::to_string(offset) + "; save the file again as UTF-8.");
      }
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      offset += 2;
    }
    AppendUtf8(out, unit);
  }
  return out;
}

Result<AttributePath> ParseAttributePath(std::string_view text) {
  AttributePath path;
  size_t position = 0;
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("attribute path \"" + std::string(text) + "\": " + std::string(why) +
                                   "; write paths like a.b[0].c or a.b.0.c.");
  };
  if (text.empty()) return bad("is empty");
  while (position < text.size()) {
    if (text[position] == '[') {
      size_t close = text.find(']', position);
      if (close == std::string_view::npos) return bad("has an unclosed [");
      int64_t index = 0;
      auto [end, error] = std::from_chars(text.data() + position + 1, text.data() + close, index);
      if (error != std::errc() || end != text.data() + close || index < 0) return bad("has a bad index");
      path.push_back({"", index});
      position = close + 1;
      if (position < text.size() && text[position] == '.') ++position;
      continue;
    }
    size_t end = text.find_first_of(".[", position);
    if (end == std::string_view::npos) end = text.size();
    std::string_view step = text.substr(position, end - position);
    if (step.empty()) return bad("has an empty step");
    int64_t index = 0;
    auto [number_end, error] = std::from_chars(step.data(), step.data() + step.size(), index);
    if (error == std::errc() && number_end == step.data() + step.size() && index >= 0) {
      path.push_back({"", index});
    } else {
      path.push_back({std::string(step), -1});
    }
    position = end;
    if (position < text.size() && text[position] == '.') ++position;
  }
  return path;
}

namespace {
// True when an after_unknown subtree marks anything unknown.
bool AnyUnknown(element unknown) {
  switch (unknown.type()) {
    case element_type::BOOL:
      return unknown.get_bool().value_unsafe();
    case element_type::OBJECT:
      for (auto field : AsObject(unknown)) {
        if (AnyUnknown(field.value)) return true;
      }
      return false;
    case element_type::ARRAY:
      for (element child : AsArray(unknown)) {
        if (AnyUnknown(child)) return true;
      }
      return false;
    default:
      return false;
  }
}

bool Step(element current, const PathStep& step, element& next) {
  if (step.index >= 0) {
    if (current.type() != element_type::ARRAY) return false;
    return AsArray(current).at(static_cast<size_t>(step.index)).get(next) == simdjson::SUCCESS;
  }
  if (current.type() == element_type::ARRAY) {
    if (AsArray(current).at(0).get(current) != simdjson::SUCCESS) return false;
  }
  if (current.type() != element_type::OBJECT) return false;
  return AsObject(current).at_key(step.key).get(next) == simdjson::SUCCESS;
}
}  // namespace

Lookup LookUp(element value, element unknown, bool has_unknown, const AttributePath& path) {
  Lookup result;
  bool unknown_live = has_unknown;
  element current = value;
  bool value_live = true;
  for (const PathStep& step : path) {
    if (unknown_live) {
      if (unknown.type() == element_type::BOOL) {
        if (unknown.get_bool().value_unsafe()) {
          result.state = LookupState::kUnknown;
          return result;
        }
        unknown_live = false;
      } else {
        element next_unknown;
        unknown_live = Step(unknown, step, next_unknown);
        if (unknown_live) unknown = next_unknown;
      }
    }
    if (value_live) {
      element next;
      value_live = Step(current, step, next) && next.type() != element_type::NULL_VALUE;
      if (value_live) current = next;
    }
    if (!value_live && !unknown_live) return result;
  }
  if (value_live) {
    // A known container can still hold unknown members; the container itself is known.
    result.state = LookupState::kFound;
    result.value = current;
    result.unknown = unknown;
    result.has_unknown = unknown_live;
    return result;
  }
  if (unknown_live && AnyUnknown(unknown)) result.state = LookupState::kUnknown;
  return result;
}

namespace {

// A plan file mapped into memory, followed by simdjson's padding (zero bytes), so that the parser reads the page
// cache in place: no copy of the file and no fresh memory for it (a 54 MiB plan is ~14k fewer pages to allocate and
// zero; ~10% of a 100k-resource assessment). The mapping is released as soon as the DOM is built (the DOM holds
// copies of every string, never views into the input). A mapped file truncated by another program during the parse
// would end the process with SIGBUS, so the mapping is taken only under a read lease (fcntl F_SETLEASE): while it is
// held, a truncate or an open for writing by anyone else waits until the lease is released, right after the parse.
// A file that cannot be leased (open for writing elsewhere, another owner without CAP_LEASE, a network file
// system) is read into memory instead.
class MappedInput {
 public:
  MappedInput() = default;
  MappedInput(const MappedInput&) = delete;
  MappedInput& operator=(const MappedInput&) = delete;
  ~MappedInput() { Release(); }

  // Maps `size` bytes of the open file `fd` under a read lease; false when the file cannot be leased or mapped (the
  // caller reads it instead).
  bool Map(int fd, size_t size) {
    Release();
    lease_fd_ = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (lease_fd_ < 0) return false;
    if (fcntl(lease_fd_, F_SETLEASE, F_RDLCK) != 0) {
      close(lease_fd_);
      lease_fd_ = -1;
      return false;
    }
    static const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t file_span = (size + kPage - 1) / kPage * kPage;
    const size_t span = (size + simdjson::SIMDJSON_PADDING + kPage - 1) / kPage * kPage;
    // Reserve the whole span as zero pages, then map the file over its start: the padding is either the zero tail
    // of the file's last page or the anonymous page after it.
    void* area = mmap(nullptr, span, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
      Release();
      return false;
    }
    if (size > 0 && mmap(area, file_span, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0) == MAP_FAILED) {
      munmap(area, span);
      Release();
      return false;
    }
    data_ = static_cast<const char*>(area);
    size_ = size;
    span_ = span;
    return true;
  }
  void Release() {
    if (data_ != nullptr) munmap(const_cast<char*>(data_), span_);
    if (lease_fd_ >= 0) {
      fcntl(lease_fd_, F_SETLEASE, F_UNLCK);
      close(lease_fd_);
    }
    lease_fd_ = -1;
    data_ = nullptr;
    size_ = span_ = 0;
  }
  bool mapped() const { return data_ != nullptr; }
  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t span_ = 0;
  int lease_fd_ = -1;  // holds the read lease while the file is mapped
};

}  // namespace

struct Estate::Document {
  simdjson::padded_string text;  // input read or converted into memory (UTF-16, BOM, unmappable files)
  MappedInput input;             // input mapped from a file
  simdjson::dom::parser parser;
  element root;

  // The bytes to parse (followed by at least SIMDJSON_PADDING readable bytes).
  std::string_view bytes() const { return input.mapped() ? input.view() : std::string_view(text.data(), text.size()); }
  simdjson::error_code Parse() {
    std::string_view json = bytes();
    return parser.parse(reinterpret_cast<const uint8_t*>(json.data()), json.size(), false).get(root);
  }
  // The input is not needed once the DOM is built.
  void ReleaseInput() {
    input.Release();
    text = simdjson::padded_string();
  }
};

Estate::Estate() = default;

element Estate::EmptyObject() {
  if (!empty_) {
    empty_ = std::make_unique<Document>();
    empty_->text = simdjson::padded_string(std::string_view("{}"));
    if (empty_->parser.parse(empty_->text).get(empty_->root) != simdjson::SUCCESS) std::abort();  // "{}" parses
  }
  return empty_->root;
}

std::string_view Estate::Keep(std::string_view text) {
  constexpr size_t kBlock = size_t{1} << 20;
  if (text.empty()) return {};
  if (text.size() > text_block_left_) {
    const size_t size = std::max(kBlock, text.size());
    text_blocks_.push_back(std::unique_ptr<char[]>(new char[size]));
    text_next_ = text_blocks_.back().get();
    text_block_left_ = size;
  }
  std::memcpy(text_next_, text.data(), text.size());
  std::string_view kept(text_next_, text.size());
  text_next_ += text.size();
  text_block_left_ -= text.size();
  return kept;
}

Estate::~Estate() = default;
Estate::Estate(Estate&&) noexcept = default;
Estate& Estate::operator=(Estate&&) noexcept = default;

uint64_t Estate::StringIndex::Hash(std::string_view key) {
  // Multiply-xorshift over 8-byte words, then a final avalanche (addresses are ASCII, 20 to 100 bytes).
  uint64_t hash = 0x9E3779B97F4A7C15ull ^ key.size();
  const char* bytes = key.data();
  size_t left = key.size();
  for (; left >= 8; bytes += 8, left -= 8) {
    uint64_t word;
    std::memcpy(&word, bytes, 8);
    hash = (hash ^ word) * 0xFF51AFD7ED558CCDull;
    hash ^= hash >> 32;
  }
  if (left > 0) {
    uint64_t word = 0;
    std::memcpy(&word, bytes, left);
    hash = (hash ^ word) * 0xC4CEB9FE1A85EC53ull;
    hash ^= hash >> 29;
  }
  hash ^= hash >> 33;
  hash *= 0xFF51AFD7ED558CCDull;
  hash ^= hash >> 33;
  return hash;
}

void Estate::StringIndex::Clear() {
  slots_.clear();
  count_ = 0;
}

void Estate::StringIndex::Reserve(size_t count) {
  size_t capacity = 16;
  while (capacity * 3 < count * 4) capacity *= 2;
  if (capacity > slots_.size()) Grow(capacity);
}

void Estate::StringIndex::Grow(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.value == kNone) continue;
    size_t at = slot.hash & mask;
    while (slots_[at].value != kNone) at = (at + 1) & mask;
    slots_[at] = slot;
  }
}

uint32_t Estate::StringIndex::Insert(std::string_view key, uint64_t hash, uint32_t value) {
  if ((count_ + 1) * 4 > slots_.size() * 3) Grow(std::max<size_t>(16, slots_.size() * 2));
  const size_t mask = slots_.size() - 1;
  size_t at = hash & mask;
  for (;; at = (at + 1) & mask) {
    Slot& slot = slots_[at];
    if (slot.value == kNone) break;
    if (slot.hash == hash && std::string_view(slot.data, slot.size) == key) return slot.value;
  }
  slots_[at] = Slot{hash, key.data(), static_cast<uint32_t>(key.size()), value};
  ++count_;
  return value;
}

uint32_t Estate::StringIndex::Find(std::string_view key, uint64_t hash) const {
  if (count_ == 0) return kNone;
  const size_t mask = slots_.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    const Slot& slot = slots_[at];
    if (slot.value == kNone) return kNone;
    if (slot.hash == hash && std::string_view(slot.data, slot.size) == key) return slot.value;
  }
}

int64_t Estate::Find(std::string_view address) const {
  uint32_t found = by_address_.Find(address);
  return found == StringIndex::kNone ? -1 : static_cast<int64_t>(found);
}

void Estate::HashResource(size_t index, std::string& key_buffer) {
  const std::string_view address = resources_[index].address;
  const std::string_view key = ConfigKey(address, key_buffer);
  const uint64_t hash = StringIndex::Hash(key);
  config_hashes_.push_back(hash);
  address_hashes_.push_back(key.size() == address.size() ? hash : StringIndex::Hash(address));
}

Status Estate::AddFile(const std::filesystem::path& path) {
  // Parse the page cache in place (MappedInput): no copy of the file, however large.
  std::error_code error;
  static_cast<void>(std::filesystem::file_size(path, error));
  if (error) {
    TUTELA_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, uint64_t{1} << 34));  // names the failure
    return AddText(bytes, path.string());
  }
  auto document = std::make_unique<Document>();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  struct stat info;
  const bool mapped =
      fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && document->input.Map(fd, static_cast<size_t>(info.st_size));
  close(fd);
  if (!mapped) {
    // Not a regular file, or one that cannot be mapped: read it into memory instead.
    TUTELA_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, uint64_t{1} << 34));
    return AddText(bytes, path.string());
  }
  std::string_view bytes = document->bytes();
  auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  bool plain = !(bytes.size() >= 2 && (byte(0) == 0 || byte(1) == 0 || byte(0) >= 0xEF));
  if (!plain) return AddText(bytes, path.string());
  return AddDocument(std::move(document), path.string());
}

Status Estate::AddText(std::string_view text, std::string_view source_view) {
  std::string source(source_view);
  TUTELA_ASSIGN_OR_RETURN(std::string utf8, NormalizeEncoding(text, source));
  auto document = std::make_unique<Document>();
  document->text = simdjson::padded_string(utf8);
  return AddDocument(std::move(document), source);
}

Status Estate::AddDocument(std::unique_ptr<Document> document, const std::string& source) {
  if (auto error = document->Parse(); error != simdjson::SUCCESS) {
    std::string_view utf8 = document->bytes();
    Result<nlohmann::json> precise = ParseJson(utf8, source);
    if (!precise.ok()) return precise.status();
    return Status::InvalidArgument(source + ": invalid JSON (" + std::string(simdjson::error_message(error)) +
                                   "); correct the file or produce it again with `terraform show -json`.");
  }
  document->ReleaseInput();
  element root = document->root;
  if (root.type() != element_type::OBJECT) return FormatError(source, "", "the document is not a JSON object");
  object fields = AsObject(root);
  size_t first_new = resources_.size();
  const Resource* old_data = resources_.data();
  size_t first_reference = references_.size();
  size_t first_link = explicit_links_.size();
  Status status;
  SourceKind kind;
  element probe;
  if (fields["snapshot_version"].get(probe) == simdjson::SUCCESS) {
    kind = SourceKind::kSnapshot;
    status = AddSnapshot(root, source);
  } else if (fields["planned_values"].get(probe) == simdjson::SUCCESS ||
             fields["resource_changes"].get(probe) == simdjson::SUCCESS) {
    kind = SourceKind::kPlan;
    status = AddPlan(root, source);
  } else if (fields["format_version"].get(probe) == simdjson::SUCCESS) {
    kind = SourceKind::kState;
    status = AddState(root, source);
  } else if (fields["version"].get(probe) == simdjson::SUCCESS && fields["resources"].get(probe) == simdjson::SUCCESS) {
    kind = SourceKind::kState;
    status = AddRawState(root, source);
  } else {
    return FormatError(source, "",
                       "not a Terraform plan (no planned_values), state (no values or resources) or snapshot (no "
                       "snapshot_version)");
  }
  if (!status.ok()) {
    resources_.resize(first_new);
    config_hashes_.resize(first_new);
    address_hashes_.resize(first_new);
    references_.resize(first_reference);
    explicit_links_.resize(first_link);
    if (resources_.data() != old_data) IndexAddresses(first_new);
    return status;
  }
  // Configuration keys of the new resources (a plan has hashed them already).
  std::string key_buffer;
  for (size_t index = config_hashes_.size(); index < resources_.size(); ++index) HashResource(index, key_buffer);
  // by_address_ views the addresses inside resources_: index them again if the vector moved.
  if (resources_.data() != old_data) IndexAddresses(first_new);
  by_address_.Reserve(resources_.size());
  for (size_t index = first_new; index < resources_.size(); ++index) {
    const uint32_t existing =
        by_address_.Insert(resources_[index].address, address_hashes_[index], static_cast<uint32_t>(index));
    if (existing != index) {
      std::string message = source + ": resource \"" + std::string(resources_[index].address) +
                            "\" is also defined in " + std::string(resources_[existing].source) +
                            "; give each estate's files once, or split them into separate runs.";
      resources_.resize(first_new);
      config_hashes_.resize(first_new);
      address_hashes_.resize(first_new);
      references_.resize(first_reference);
      explicit_links_.resize(first_link);
      IndexAddresses(first_new);
      return Status::InvalidArgument(message);
    }
  }
  documents_.push_back(std::move(document));
  kinds_.push_back(kind);
  Link();
  return Status::Ok();
}

Status Estate::CollectModule(element module, const std::string& pointer, const std::string& source,
                             std::vector<Resource>& out) {
  if (module.type() != element_type::OBJECT) return FormatError(source, pointer, "a module is not an object");
  object fields = AsObject(module);
  std::string_view module_address;
  GetString(fields, "address", module_address);
  element list;
  if (fields["resources"].get(list) == simdjson::SUCCESS) {
    if (list.type() != element_type::ARRAY) return FormatError(source, Pointer(pointer, "resources"), "not an array");
    // One "file#/.../resources/" prefix per module: a resource's source costs one allocation, not four.
    const std::string list_pointer = Pointer(pointer, "resources");
    const std::string source_prefix = source + "#" + list_pointer + "/";
    std::string resource_source = source_prefix;  // source_prefix + position
    size_t index = 0;
    for (element item : AsArray(list)) {
      const size_t position = index++;
      auto where = [&] { return Pointer(list_pointer, position); };
      if (item.type() != element_type::OBJECT) return FormatError(source, where(), "a resource is not an object");
      const Fields<5> resource_fields(AsObject(item), {"address", "type", "name", "mode", "values"});
      Resource resource;
      std::string_view address, type, name, mode;
      if (!resource_fields.String(0, address) || !resource_fields.String(1, type)) {
        return FormatError(source, where(), "the resource has no string \"address\" and \"type\"");
      }
      resource_fields.String(2, name);
      resource_fields.String(3, mode);
      resource.address = address;
      resource_source.resize(source_prefix.size());
      char digits[24];
      resource_source.append(digits, std::to_chars(digits, digits + sizeof digits, position).ptr);
      SetIdentity(type, name, module_address, mode, Keep(resource_source), &resource);
      element values;
      if (resource_fields.Find(4, values) && values.type() == element_type::OBJECT) {
        resource.values = values;
      } else {
        resource.values = EmptyObject();  // the empty object
      }
      out.push_back(std::move(resource));
    }
  }
  if (fields["child_modules"].get(list) == simdjson::SUCCESS) {
    if (list.type() != element_type::ARRAY) {
      return FormatError(source, Pointer(pointer, "child_modules"), "not an array");
    }
    size_t index = 0;
    for (element child : AsArray(list)) {
      TUTELA_RETURN_IF_ERROR(CollectModule(child, Pointer(Pointer(pointer, "child_modules"), index++), source, out));
    }
  }
  return Status::Ok();
}

void Estate::IndexAddresses(size_t count) {
  by_address_.Clear();
  by_address_.Reserve(resources_.size());
  for (size_t index = 0; index < count; ++index) {
    by_address_.Insert(resources_[index].address, address_hashes_[index], static_cast<uint32_t>(index));
  }
}

uint32_t Estate::InternTarget(std::string target) {
  const uint64_t hash = StringIndex::Hash(target);
  if (uint32_t found = reference_target_ids_.Find(target, hash); found != StringIndex::kNone) return found;
  uint32_t id = static_cast<uint32_t>(reference_targets_.size());
  reference_targets_.push_back(std::move(target));
  reference_target_ids_.Insert(reference_targets_.back(), hash, id);
  return id;
}

void Estate::CollectConfiguration(element module, const std::string& module_path, ReferenceMap& references) {
  if (module.type() != element_type::OBJECT) return;
  object fields = AsObject(module);
  element list;
  if (fields["resources"].get(list) == simdjson::SUCCESS && list.type() == element_type::ARRAY) {
    std::vector<std::string_view> found;  // views of the DOM's strings
    for (element item : AsArray(list)) {
      if (item.type() != element_type::OBJECT) continue;
      object resource = AsObject(item);
      std::string_view address;
      element expressions;
      if (!GetString(resource, "address", address)) continue;
      found.clear();
      if (resource["expressions"].get(expressions) == simdjson::SUCCESS) CollectReferences(expressions, found);
      std::string key = module_path.empty() ? std::string(address) : module_path + "." + std::string(address);
      const uint64_t hash = StringIndex::Hash(key);
      uint32_t entry = references.index.Find(key, hash);
      if (entry == StringIndex::kNone) {
        entry = static_cast<uint32_t>(references.targets.size());
        references.keys.push_back(std::move(key));
        references.index.Insert(references.keys.back(), hash, entry);
        references.targets.emplace_back();
      }
      std::vector<uint32_t>& targets = references.targets[entry];
      for (std::string_view reference : found) {
        std::string target = ResourceOfReference(reference);
        if (target.empty()) continue;
        uint32_t id = InternTarget(module_path.empty() ? std::move(target) : module_path + "." + target);
        // "x.y.id" and "x.y" name the same resource: one link is enough.
        if (std::find(targets.begin(), targets.end(), id) == targets.end()) targets.push_back(id);
      }
    }
  }
  element calls;
  if (fields["module_calls"].get(calls) == simdjson::SUCCESS && calls.type() == element_type::OBJECT) {
    for (auto call : AsObject(calls)) {
      element child;
      if (call.value.type() != element_type::OBJECT || AsObject(call.value)["module"].get(child) != simdjson::SUCCESS) {
        continue;
      }
      std::string child_path = (module_path.empty() ? "" : module_path + ".") + "module." + std::string(call.key);
      CollectConfiguration(child, child_path, references);
    }
  }
}

Status Estate::AddPlan(element root, const std::string& source) {
  object fields = AsObject(root);
  std::string_view version;
  if (GetString(fields, "format_version", version) && !(version.starts_with("0.") || version.starts_with("1."))) {
    return FormatError(source, "/format_version",
                       "plan format version \"" + std::string(version) + "\" is not supported (0.x and 1.x are)");
  }
  // Resources are collected straight into resources_ (from `first` on); deleted ones are dropped at the end.
  const size_t first = resources_.size();
  size_t change_count = 0;
  element hint;
  if (fields["resource_changes"].get(hint) == simdjson::SUCCESS && hint.type() == element_type::ARRAY) {
    change_count = AsArray(hint).size();
  }
  resources_.reserve(first + change_count);
  element planned;
  if (fields["planned_values"].get(planned) == simdjson::SUCCESS) {
    element root_module;
    if (planned.type() == element_type::OBJECT &&
        AsObject(planned)["root_module"].get(root_module) == simdjson::SUCCESS) {
      TUTELA_RETURN_IF_ERROR(CollectModule(root_module, "/planned_values/root_module", source, resources_));
    }
  }
  // Changes usually come in the order of the planned values: a cursor finds them without a hash lookup, and the
  // address index is built only when a change comes out of that order.
  const size_t planned_end = resources_.size();
  size_t cursor = first;
  bool indexed = false;
  std::unordered_map<std::string_view, size_t> index;
  auto find_planned = [&](std::string_view address) -> size_t {
    if (cursor < planned_end && resources_[cursor].address == address) return cursor++;
    if (!indexed) {
      index.reserve(planned_end - first);
      for (size_t position = first; position < planned_end; ++position) {
        index.emplace(resources_[position].address, position);
      }
      indexed = true;
    }
    auto found = index.find(address);
    return found == index.end() ? SIZE_MAX : found->second;
  };
  std::vector<bool> deleted(resources_.size(), false);
  // Changes without planned values, appended after the loop: resources_ must not reallocate while `index` views
  // its addresses (and growing it here would move every resource once more).
  std::vector<Resource> change_only;
  element changes;
  if (fields["resource_changes"].get(changes) == simdjson::SUCCESS) {
    if (changes.type() != element_type::ARRAY) return FormatError(source, "/resource_changes", "not an array");
    size_t position = 0;
    for (element change_item : AsArray(changes)) {
      const size_t change_position = position++;
      auto where = [&] { return Pointer("/resource_changes", change_position); };  // only for messages
      if (change_item.type() != element_type::OBJECT) return FormatError(source, where(), "a change is not an object");
      const Fields<6> change_fields(AsObject(change_item),
                                    {"address", "type", "change", "name", "mode", "module_address"});
      std::string_view address, type;
      element change;
      if (!change_fields.String(0, address) || !change_fields.String(1, type) || !change_fields.Find(2, change) ||
          change.type() != element_type::OBJECT) {
        return FormatError(source, where(), "the change has no string \"address\", \"type\" and object \"change\"");
      }
      const Fields<3> change_object(AsObject(change), {"actions", "after_unknown", "after"});
      bool creates_or_keeps = false;
      element actions;
      if (change_object.Find(0, actions) && actions.type() == element_type::ARRAY) {
        for (element action : AsArray(actions)) {
          std::string_view name;
          if (action.get_string().get(name) == simdjson::SUCCESS && name != "delete") creates_or_keeps = true;
        }
      }
      const size_t existing = find_planned(address);
      if (!creates_or_keeps) {
        if (existing != SIZE_MAX) deleted[existing] = true;
        continue;
      }
      element after_unknown;
      bool has_unknown = change_object.Find(1, after_unknown) && after_unknown.type() != element_type::NULL_VALUE;
      if (existing != SIZE_MAX) {
        resources_[existing].unknown = after_unknown;
        resources_[existing].has_unknown = has_unknown;
        continue;
      }
      // A change without planned values (older plans, or tools that strip planned_values): take `after`.
      Resource resource;
      std::string_view name, mode, module_address;
      change_fields.String(3, name);
      change_fields.String(4, mode);
      change_fields.String(5, module_address);
      resource.address = address;
      SetIdentity(type, name, module_address, mode, Keep(source + "#" + where()), &resource);
      element after;
      resource.values = change_object.Find(2, after) && after.type() == element_type::OBJECT ? after : EmptyObject();
      resource.unknown = after_unknown;
      resource.has_unknown = has_unknown;
      change_only.push_back(std::move(resource));
    }
  }
  if (!change_only.empty()) {
    resources_.reserve(resources_.size() + change_only.size());
    for (Resource& resource : change_only) resources_.push_back(std::move(resource));
    deleted.resize(resources_.size(), false);
  }
  ReferenceMap references;
  element configuration, config_root;
  if (fields["configuration"].get(configuration) == simdjson::SUCCESS && configuration.type() == element_type::OBJECT &&
      AsObject(configuration)["root_module"].get(config_root) == simdjson::SUCCESS) {
    CollectConfiguration(config_root, "", references);
  }
  size_t kept = first;
  std::string key_buffer;
  config_hashes_.reserve(resources_.size());
  address_hashes_.reserve(resources_.size());
  for (size_t position = first; position < resources_.size(); ++position) {
    if (deleted[position]) continue;
    uint32_t resource_index = static_cast<uint32_t>(kept);
    if (kept != position) resources_[kept] = std::move(resources_[position]);
    HashResource(kept, key_buffer);
    if (references.index.size() > 0) {
      const uint32_t entry = references.index.FindHashed(
          config_hashes_[kept], [&] { return ConfigKey(resources_[kept].address, key_buffer); });
      if (entry != StringIndex::kNone) {
        for (uint32_t target : references.targets[entry]) references_.push_back({resource_index, target});
      }
    }
    ++kept;
  }
  resources_.resize(kept);
  return Status::Ok();
}

Status Estate::AddState(element root, const std::string& source) {
  object fields = AsObject(root);
  element values, root_module;
  if (fields["values"].get(values) != simdjson::SUCCESS) return Status::Ok();  // an empty state
  if (values.type() != element_type::OBJECT || AsObject(values)["root_module"].get(root_module) != simdjson::SUCCESS) {
    return FormatError(source, "/values", "the state has no root_module");
  }
  return CollectModule(root_module, "/values/root_module", source, resources_);
}

Status Estate::AddRawState(element root, const std::string& source) {
  object fields = AsObject(root);
  int64_t version = 0;
  element version_element, list;
  if (fields["version"].get(version_element) != simdjson::SUCCESS ||
      version_element.get_int64().get(version) != simdjson::SUCCESS || version < 3) {
    return FormatError(source, "/version", "only Terraform state version 3 and later is supported");
  }
  if (fields["resources"].get(list) != simdjson::SUCCESS || list.type() != element_type::ARRAY)
    return FormatError(source, "/resources", "not an array");
  size_t position = 0;
  for (element item : AsArray(list)) {
    std::string where = Pointer("/resources", position++);
    if (item.type() != element_type::OBJECT) return FormatError(source, where, "a resource is not an object");
    object resource_fields = AsObject(item);
    std::string_view type, name, mode, module_address;
    element instances;
    if (!GetString(resource_fields, "type", type) || !GetString(resource_fields, "name", name) ||
        resource_fields["instances"].get(instances) != simdjson::SUCCESS || instances.type() != element_type::ARRAY) {
      return FormatError(source, where, "the resource has no \"type\", \"name\" and \"instances\" array");
    }
    GetString(resource_fields, "mode", mode);
    GetString(resource_fields, "module", module_address);
    std::string base = std::string(module_address.empty() ? "" : std::string(module_address) + ".") +
                       (mode == "data" ? "data." : "") + std::string(type) + "." + std::string(name);
    size_t instance_position = 0;
    for (element instance : AsArray(instances)) {
      std::string instance_where = Pointer(Pointer(where, "instances"), instance_position++);
      element attributes, key;
      if (instance.type() != element_type::OBJECT ||
          AsObject(instance)["attributes"].get(attributes) != simdjson::SUCCESS ||
          attributes.type() != element_type::OBJECT) {
        return FormatError(source, instance_where, "the instance has no \"attributes\" object");
      }
      Resource resource;
      std::string address = base;
      if (AsObject(instance)["index_key"].get(key) == simdjson::SUCCESS) {
        std::string_view text;
        int64_t number = 0;
        if (key.get_string().get(text) == simdjson::SUCCESS) {
          address += "[\"" + std::string(text) + "\"]";
        } else if (key.get_int64().get(number) == simdjson::SUCCESS) {
          address += "[" + std::to_string(number) + "]";
        }
      }
      resource.address = Keep(address);
      SetIdentity(type, name, module_address, mode, Keep(source + "#" + instance_where), &resource);
      resource.values = attributes;
      resources_.push_back(std::move(resource));
    }
  }
  return Status::Ok();
}

Status Estate::AddSnapshot(element root, const std::string& source) {
  object fields = AsObject(root);
  element version, list;
  int64_t number = 0;
  if (fields["snapshot_version"].get(version) != simdjson::SUCCESS ||
      version.get_int64().get(number) != simdjson::SUCCESS || number != 1) {
    return FormatError(source, "/snapshot_version", "only snapshot_version 1 is supported");
  }
  if (fields["resources"].get(list) != simdjson::SUCCESS || list.type() != element_type::ARRAY) {
    return FormatError(source, "/resources", "the snapshot has no \"resources\" array");
  }
  size_t position = 0;
  for (element item : AsArray(list)) {
    std::string where = Pointer("/resources", position++);
    if (item.type() != element_type::OBJECT) return FormatError(source, where, "a resource is not an object");
    object resource_fields = AsObject(item);
    std::string_view type, name, address, provider, module_address;
    element values, unknown, links;
    if (!GetString(resource_fields, "type", type) || resource_fields["values"].get(values) != simdjson::SUCCESS ||
        values.type() != element_type::OBJECT) {
      return FormatError(source, where, "the resource has no string \"type\" and object \"values\"");
    }
    if (!GetString(resource_fields, "name", name) && !GetString(resource_fields, "address", address)) {
      return FormatError(source, where, "the resource has neither \"name\" nor \"address\"");
    }
    GetString(resource_fields, "address", address);
    GetString(resource_fields, "module", module_address);
    Resource resource;
    resource.type = type;
    resource.name = name;
    resource.module = module_address;
    resource.address = !address.empty() ? address
                                        : Keep((module_address.empty() ? "" : std::string(module_address) + ".") +
                                               std::string(type) + "." + std::string(name));
    resource.provider = GetString(resource_fields, "provider", provider) ? provider : ProviderOfType(type);
    resource.source = Keep(source + "#" + where);
    resource.values = values;
    if (resource_fields["unknown"].get(unknown) == simdjson::SUCCESS && unknown.type() == element_type::OBJECT) {
      resource.unknown = unknown;
      resource.has_unknown = true;
    }
    uint32_t resource_index = static_cast<uint32_t>(resources_.size());
    if (resource_fields["links"].get(links) == simdjson::SUCCESS) {
      if (links.type() != element_type::ARRAY) return FormatError(source, Pointer(where, "links"), "not an array");
      for (element link : AsArray(links)) {
        std::string_view target;
        if (link.get_string().get(target) != simdjson::SUCCESS) {
          return FormatError(source, Pointer(where, "links"), "a link is not a resource address string");
        }
        explicit_links_.emplace_back(resource_index, std::string(target));
      }
    }
    resources_.push_back(std::move(resource));
  }
  return Status::Ok();
}

void Estate::Link() {
  if (linked_) {
    for (Resource& resource : resources_) resource.links.clear();
  }
  linked_ = false;
  std::vector<uint32_t> linked;  // resources given a link, to sort and deduplicate at the end
  auto connect = [this, &linked](uint32_t a, uint32_t b) {
    if (a == b) return;
    for (uint32_t one : {a, b}) {
      if (resources_[one].links.empty()) linked.push_back(one);
    }
    resources_[a].links.push_back(b);
    resources_[b].links.push_back(a);
    linked_ = true;
  };
  // 1. Configuration references, resolved within their module. The resources whose configuration key is a reference
  // target are chained per target, in index order (first/last per target, next per resource): grouping them needs no
  // map beyond the interned targets and allocates nothing per resource.
  const uint32_t count = static_cast<uint32_t>(resources_.size());
  std::vector<uint32_t> first_of(reference_targets_.size(), UINT32_MAX), last_of(reference_targets_.size());
  std::vector<uint32_t> next(references_.empty() ? 0 : count, UINT32_MAX);
  if (!references_.empty()) {
    std::string key_buffer;
    for (uint32_t index = 0; index < count; ++index) {
      const uint32_t id = reference_target_ids_.FindHashed(
          config_hashes_[index], [&] { return ConfigKey(resources_[index].address, key_buffer); });
      if (id == StringIndex::kNone) continue;
      if (first_of[id] == UINT32_MAX) {
        first_of[id] = index;
      } else {
        next[last_of[id]] = index;
      }
      last_of[id] = index;
    }
  }
  std::vector<uint32_t> all, candidates;
  for (const PendingReference& reference : references_) {
    if (first_of[reference.target] == UINT32_MAX) continue;
    const Resource& from = resources_[reference.from];
    all.clear();
    candidates.clear();
    for (uint32_t target = first_of[reference.target]; target != UINT32_MAX; target = next[target]) {
      all.push_back(target);
      if (resources_[target].module == from.module) candidates.push_back(target);
    }
    if (candidates.empty()) candidates = all;
    std::string_view key = TrailingKey(from.address);
    uint32_t same_key = UINT32_MAX;
    if (!key.empty() && candidates.size() > 1) {
      for (uint32_t candidate : candidates) {
        if (TrailingKey(resources_[candidate].address) == key) same_key = candidate;
      }
    }
    if (same_key != UINT32_MAX) {
      connect(reference.from, same_key);
    } else {
      for (uint32_t candidate : candidates) connect(reference.from, candidate);
    }
  }
  // 2. Attribute values equal to another resource's id or arn (states, snapshots, plans with known values).
  std::unordered_map<std::string_view, int64_t> identities;
  for (uint32_t index = 0; index < resources_.size(); ++index) {
    if (resources_[index].values.type() != element_type::OBJECT) continue;
    const Fields<2> values(AsObject(resources_[index].values), {"id", "arn"});
    for (size_t key = 0; key < 2; ++key) {
      std::string_view identity;
      if (values.String(key, identity) && identity.size() >= 3) {
        auto [where, inserted] = identities.emplace(identity, index);
        if (!inserted && where->second != index) where->second = -1;  // ambiguous: link nothing
      }
    }
  }
  if (!identities.empty()) {
    for (uint32_t index = 0; index < resources_.size(); ++index) {
      if (resources_[index].values.type() != element_type::OBJECT) continue;
      auto try_link = [&](element value) {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS || text.size() < 3) return;
        auto found = identities.find(text);
        if (found != identities.end() && found->second >= 0) connect(index, static_cast<uint32_t>(found->second));
      };
      for (auto field : AsObject(resources_[index].values)) {
        if (field.key == "id" || field.key == "arn") continue;
        if (field.value.type() == element_type::STRING) {
          try_link(field.value);
        } else if (field.value.type() == element_type::ARRAY) {
          for (element item : AsArray(field.value)) try_link(item);
        }
      }
    }
  }
  // 3. Explicit snapshot links.
  for (const auto& [from, address] : explicit_links_) {
    if (uint32_t found = by_address_.Find(address); found != StringIndex::kNone) connect(from, found);
  }
  for (uint32_t index : linked) {
    std::vector<uint32_t>& links = resources_[index].links;
    std::sort(links.begin(), links.end());
    links.erase(std::unique(links.begin(), links.end()), links.end());
  }
}

}  // namespace tutela::inventory
