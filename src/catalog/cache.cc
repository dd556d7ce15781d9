#include "cache.h"

#include <cstdint>
#include <cstring>

#include "tutela/core/crypto.h"

namespace tutela::catalog {

namespace {

// Bump when the encoding changes. The sizes below guard against a field added to a record without being encoded
// here: on the platform the project builds on (libstdc++, 64-bit) a new field changes the record's size, and the
// build stops at the assertion that names the record.
constexpr char kMagic[8] = {'T', 'U', 'T', 'C', 'A', 'T', '\x03', '\n'};
#if defined(__GLIBCXX__) && __SIZEOF_POINTER__ == 8
static_assert(sizeof(Control) == 240, "catalog::Control changed: encode the new field in cache.cc, then update this");
static_assert(sizeof(ControlMapping) == 40, "catalog::ControlMapping changed: encode it in cache.cc");
static_assert(sizeof(Requirement) == 272, "catalog::Requirement changed: encode the new field in cache.cc");
static_assert(sizeof(Section) == 104, "catalog::Section changed: encode the new field in cache.cc");
static_assert(sizeof(Framework) == 424, "catalog::Framework changed: encode the new field in cache.cc");
static_assert(sizeof(CertificationScope) == 72, "catalog::CertificationScope changed: encode it in cache.cc");
static_assert(sizeof(Certification) == 424, "catalog::Certification changed: encode the new field in cache.cc");
static_assert(sizeof(ServiceCategory) == 144, "catalog::ServiceCategory changed: encode the new field in cache.cc");
static_assert(sizeof(Catalog) == 248, "catalog::Catalog changed: encode the new member in cache.cc");
#endif

class Writer {
 public:
  void U32(uint32_t value) {
    char bytes[4];
    std::memcpy(bytes, &value, 4);
    out_.append(bytes, 4);
  }
  void Str(std::string_view text) {
    U32(static_cast<uint32_t>(text.size()));
    out_.append(text);
  }
  void Strs(const std::vector<std::string>& texts) {
    U32(static_cast<uint32_t>(texts.size()));
    for (const auto& text : texts) Str(text);
  }
  void Attributes(const std::map<std::string, std::vector<std::string>>& attributes) {
    U32(static_cast<uint32_t>(attributes.size()));
    for (const auto& [key, values] : attributes) {
      Str(key);
      Strs(values);
    }
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Reads what Writer wrote; any read past the end or an impossible count makes ok() false and returns empty values.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  uint32_t U32() {
    if (!ok_ || in_.size() - pos_ < 4) return Fail();
    uint32_t value;
    std::memcpy(&value, in_.data() + pos_, 4);
    pos_ += 4;
    return value;
  }
  // A count of items that each take at least four bytes: never more than what is left.
  uint32_t Count() {
    uint32_t count = U32();
    if (count > (in_.size() - pos_) / 4) return Fail();
    return count;
  }
  std::string Str() {
    uint32_t size = U32();
    if (!ok_ || in_.size() - pos_ < size) return Fail(), std::string();
    std::string text(in_.substr(pos_, size));
    pos_ += size;
    return text;
  }
  std::vector<std::string> Strs() {
    std::vector<std::string> texts(Count());
    for (auto& text : texts) text = Str();
    return texts;
  }
  std::map<std::string, std::vector<std::string>> Attributes() {
    std::map<std::string, std::vector<std::string>> attributes;
    for (uint32_t count = Count(); ok_ && count > 0; --count) {
      std::string key = Str();
      attributes[std::move(key)] = Strs();
    }
    return attributes;
  }
  template <typename Enum>
  Enum Enumerated(uint32_t highest) {
    uint32_t value = U32();
    if (value > highest) Fail();
    return static_cast<Enum>(ok_ ? value : 0);
  }

 private:
  uint32_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string CatalogCodec::Encode(const Catalog& catalog, std::string_view sources_digest) {
  Writer w;
  w.out().append(kMagic, sizeof kMagic);
  w.Str(sources_digest);
  w.U32(static_cast<uint32_t>(catalog.frameworks_.size()));
  for (const Framework& f : catalog.frameworks_) {
    for (const std::string* text : {&f.id, &f.name, &f.version, &f.issuer, &f.jurisdiction, &f.source_document,
                                    &f.source_published, &f.licence, &f.completeness, &f.where}) {
      w.Str(*text);
    }
    w.U32(f.verified ? 1 : 0);
    w.Attributes(f.attribute_values);
    w.U32(static_cast<uint32_t>(f.sections.size()));
    for (const Section& s : f.sections) {
      w.Str(s.id);
      w.Str(s.title);
      w.Str(s.parent);
      w.U32(static_cast<uint32_t>(s.depth));
    }
    w.U32(static_cast<uint32_t>(f.requirements.size()));
    for (const Requirement& r : f.requirements) {
      for (const std::string* text : {&r.id, &r.title, &r.description, &r.section, &r.where}) w.Str(*text);
      w.U32((r.assessable ? 1 : 0) | (r.manual ? 2 : 0));
      w.Attributes(r.attributes);
      w.U32(static_cast<uint32_t>(r.controls.size()));
      for (const ControlMapping& m : r.controls) {
        w.Str(m.control);
        w.U32(static_cast<uint32_t>(m.relationship));
        w.U32(static_cast<uint32_t>(m.strength));
      }
      w.Strs(r.manual_evidence);
    }
  }
  w.U32(static_cast<uint32_t>(catalog.controls_.size()));
  for (const Control& c : catalog.controls_) {
    for (const std::string* text : {&c.id, &c.title, &c.description, &c.domain, &c.domain_name, &c.where}) {
      w.Str(*text);
    }
    w.U32(static_cast<uint32_t>(c.type));
    w.Strs(c.evidence);
    for (Owner owner : c.owner) w.U32(static_cast<uint32_t>(owner));
  }
  w.U32(static_cast<uint32_t>(catalog.certifications_.size()));
  for (const Certification& c : catalog.certifications_) {
    for (const std::string* text : {&c.id, &c.framework, &c.level, &c.certificate_number, &c.issuer, &c.auditor,
                                    &c.issued, &c.expires, &c.report, &c.provider, &c.where}) {
      w.Str(*text);
    }
    w.Strs(c.scope.regions);
    w.Strs(c.scope.data_centres);
    w.Strs(c.scope.services);
  }
  w.U32(static_cast<uint32_t>(catalog.services_.size()));
  for (const ServiceCategory& c : catalog.services_) {
    w.Str(c.id);
    w.Str(c.title);
    w.Strs(c.names);
    w.Strs(c.prefixes);
    w.Str(c.where);
  }
  w.Strs(catalog.files_);
  Digest256 digest = Sha256(w.out());
  w.out().append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return std::move(w.out());
}

std::optional<Catalog> CatalogCodec::Decode(std::string_view bytes, std::string_view sources_digest,
                                            std::string cache_file) {
  if (bytes.size() < sizeof kMagic + 32 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
  std::string_view body = bytes.substr(0, bytes.size() - 32);
  Digest256 digest = Sha256(body);
  if (std::memcmp(digest.data(), bytes.data() + body.size(), 32) != 0) return std::nullopt;
  Reader r(body.substr(sizeof kMagic));
  if (r.Str() != sources_digest) return std::nullopt;

  Catalog catalog;
  catalog.frameworks_.resize(r.Count());
  for (Framework& f : catalog.frameworks_) {
    for (std::string* text : {&f.id, &f.name, &f.version, &f.issuer, &f.jurisdiction, &f.source_document,
                              &f.source_published, &f.licence, &f.completeness, &f.where}) {
      *text = r.Str();
    }
    f.verified = r.U32() != 0;
    f.attribute_values = r.Attributes();
    f.sections.resize(r.Count());
    for (Section& s : f.sections) {
      s.id = r.Str();
      s.title = r.Str();
      s.parent = r.Str();
      s.depth = static_cast<int>(r.U32());
    }
    f.requirements.resize(r.Count());
    for (Requirement& q : f.requirements) {
      for (std::string* text : {&q.id, &q.title, &q.description, &q.section, &q.where}) *text = r.Str();
      uint32_t flags = r.U32();
      q.assessable = (flags & 1) != 0;
      q.manual = (flags & 2) != 0;
      q.attributes = r.Attributes();
      q.controls.resize(r.Count());
      for (ControlMapping& m : q.controls) {
        m.control = r.Str();
        m.relationship = r.Enumerated<Relationship>(static_cast<uint32_t>(Relationship::kIntersect));
        m.strength = static_cast<int>(r.U32());
      }
      q.manual_evidence = r.Strs();
    }
  }
  catalog.controls_.resize(r.Count());
  for (Control& c : catalog.controls_) {
    for (std::string* text : {&c.id, &c.title, &c.description, &c.domain, &c.domain_name, &c.where}) *text = r.Str();
    c.type = r.Enumerated<ControlType>(static_cast<uint32_t>(ControlType::kPhysical));
    c.evidence = r.Strs();
    for (Owner& owner : c.owner) owner = r.Enumerated<Owner>(static_cast<uint32_t>(Owner::kShared));
  }
  catalog.certifications_.resize(r.Count());
  for (Certification& c : catalog.certifications_) {
    for (std::string* text : {&c.id, &c.framework, &c.level, &c.certificate_number, &c.issuer, &c.auditor, &c.issued,
                              &c.expires, &c.report, &c.provider, &c.where}) {
      *text = r.Str();
    }
    c.scope.regions = r.Strs();
    c.scope.data_centres = r.Strs();
    c.scope.services = r.Strs();
  }
  catalog.services_.resize(r.Count());
  for (ServiceCategory& c : catalog.services_) {
    c.id = r.Str();
    c.title = r.Str();
    c.names = r.Strs();
    c.prefixes = r.Strs();
    c.where = r.Str();
  }
  catalog.files_ = r.Strs();
  if (!r.ok() || !r.AtEnd()) return std::nullopt;
  for (size_t index = 0; index < catalog.frameworks_.size(); ++index) {
    catalog.framework_index_[catalog.frameworks_[index].id] = index;
  }
  for (size_t index = 0; index < catalog.controls_.size(); ++index) {
    catalog.control_index_[catalog.controls_[index].id] = index;
  }
  catalog.cache_file_ = std::move(cache_file);
  return catalog;
}

}  // namespace tutela::catalog
