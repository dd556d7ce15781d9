// The cloud estate model and its importers: Terraform plan JSON, Terraform state JSON and Tutela snapshots.
//
// An Estate is the set of resources found in one or more input files. Each Resource carries its full address
// (module.a.module.b.aws_s3_bucket.x[0]), type, provider and attribute values, plus what the plan could not know
// yet: attributes listed in a plan's `after_unknown` are reported as unknown by LookUp(), never as absent or false.
// Resources that configure another one (aws_s3_bucket_versioning → aws_s3_bucket, aws_flow_log → aws_vpc,
// tencentcloud_mysql_backup_policy → tencentcloud_mysql_instance, ...) are linked both ways, from the plan's
// configuration references resolved inside their module, and from attribute values equal to another resource's
// id or arn (which is how state files and snapshots link).
//
// Parsing uses simdjson's DOM; attribute values are simdjson elements that point into documents the Estate owns,
// so they stay valid as long as the Estate lives. Inputs may be UTF-8 (with or without BOM) or UTF-16 with a BOM.
//
// Formats: docs/formats/snapshot.md (snapshot), Terraform's own JSON output formats for plans and state.
// Thread-safety: building an Estate (AddFile/AddText) is single-threaded; a built Estate is read-only and may be
// read from many threads at once.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::inventory {

enum class SourceKind { kPlan, kState, kSnapshot };
std::string_view SourceKindName(SourceKind kind);

// The text fields are views of text the Estate owns (its parsed documents' strings, or text it built), valid as long
// as the Estate lives: a 100k-resource plan then costs no allocation per name.
struct Resource {
  std::string_view address;        // full address, e.g. module.net.aws_vpc.main or module.a.aws_s3_bucket.logs["eu"]
  std::string_view module;         // module path with instance keys ("" for the root module)
  std::string_view type;           // aws_s3_bucket
  std::string_view name;           // the resource's name within its module
  std::string_view provider;       // "aws", "tencentcloud", ... (derived from the type when the input does not say)
  std::string_view source;         // file and JSON pointer the resource came from, for messages
  bool data_source = false;        // mode "data": read, not managed; checks skip these
  simdjson::dom::element values;   // object of attribute values (may be an empty object)
  simdjson::dom::element unknown;  // plan's after_unknown for this resource, or a null element
  bool has_unknown = false;        // true when `unknown` is set
  std::vector<uint32_t> links;     // indexes of related resources (both directions), sorted, unique
};

// The outcome of looking an attribute path up in a resource.
enum class LookupState { kFound, kMissing, kUnknown };
struct Lookup {
  LookupState state = LookupState::kMissing;
  simdjson::dom::element value;    // valid when state == kFound (never a JSON null: null is reported as kMissing)
  simdjson::dom::element unknown;  // the after_unknown subtree at the path, when has_unknown
  bool has_unknown = false;
};

// One step of an attribute path: a key of an object or an index of an array.
struct PathStep {
  std::string key;
  int64_t index = -1;  // >= 0 for an array index step
};
using AttributePath = std::vector<PathStep>;

// Parses "a.b[0].c" or "a.b.0.c". InvalidArgument naming the path on a syntax error.
Result<AttributePath> ParseAttributePath(std::string_view text);

// Looks `path` up in `value`/`unknown` (unknown: a parallel after_unknown tree or a null element). A key step on an
// array looks in its first element (Terraform nested blocks are lists of at most one element in most schemas).
Lookup LookUp(simdjson::dom::element value, simdjson::dom::element unknown, bool has_unknown,
              const AttributePath& path);
inline Lookup LookUp(const Resource& resource, const AttributePath& path) {
  return LookUp(resource.values, resource.unknown, resource.has_unknown, path);
}

class Estate {
 public:
  Estate();
  ~Estate();
  Estate(Estate&&) noexcept;
  Estate& operator=(Estate&&) noexcept;

  // Reads a plan, state or snapshot file (the kind is detected from its content) and adds its resources.
  // NotFound/IoError when unreadable; InvalidArgument "FILE:LINE:COLUMN: ..." for malformed JSON and
  // "FILE#/json/pointer: ..." for JSON that is not one of the accepted formats. On error nothing is added.
  Status AddFile(const std::filesystem::path& path);
  // Same, from memory; `source` names the text in messages.
  Status AddText(std::string_view text, std::string_view source);

  // Links related resources. Call once after the last AddFile (AddFile calls it again if more files come).
  void Link();

  const std::vector<Resource>& resources() const { return resources_; }
  // The index of a resource by full address, or -1.
  int64_t Find(std::string_view address) const;
  // What kinds of input were read, in order.
  const std::vector<SourceKind>& sources() const { return kinds_; }

 private:
  struct Document;
  struct PendingReference {
    uint32_t from;
    uint32_t target;  // index into reference_targets_
  };
  // A hash table from string keys to uint32_t values: open addressing, keys held as views (their text must outlive
  // the index), hashes computed by the caller once and reused across indexes. No allocation per key, which matters
  // when a plan has 100k resources.
  class StringIndex {
   public:
    static constexpr uint32_t kNone = UINT32_MAX;
    static uint64_t Hash(std::string_view key);
    void Clear();
    void Reserve(size_t count);
    // Stores key -> value unless the key is there; returns the value stored for the key.
    uint32_t Insert(std::string_view key, uint64_t hash, uint32_t value);
    uint32_t Find(std::string_view key, uint64_t hash) const;
    uint32_t Find(std::string_view key) const { return Find(key, Hash(key)); }
    // Find, with the key's text asked of `key_of` only when a stored hash matches (most lookups then never touch it).
    template <typename KeyOf>
    uint32_t FindHashed(uint64_t hash, const KeyOf& key_of) const {
      if (count_ == 0) return kNone;
      const size_t mask = slots_.size() - 1;
      for (size_t at = hash & mask;; at = (at + 1) & mask) {
        const Slot& slot = slots_[at];
        if (slot.value == kNone) return kNone;
        if (slot.hash == hash && std::string_view(slot.data, slot.size) == key_of()) return slot.value;
      }
    }
    size_t size() const { return count_; }

   private:
    struct Slot {
      uint64_t hash = 0;
      const char* data = nullptr;
      uint32_t size = 0;
      uint32_t value = kNone;  // kNone: empty
    };
    void Grow(size_t capacity);
    std::vector<Slot> slots_;  // size is 0 or a power of two, at most 3/4 full
    size_t count_ = 0;
  };
  // Configuration address (module path + "type.name") -> ids of the resources its expressions reference.
  struct ReferenceMap {
    StringIndex index;                           // key -> position in `targets`
    std::deque<std::string> keys;                // the keys' text (stable addresses for the index's views)
    std::vector<std::vector<uint32_t>> targets;  // reference target ids per key
  };
  Status AddDocument(std::unique_ptr<Document> document, const std::string& source);
  Status AddPlan(simdjson::dom::element root, const std::string& source);
  Status AddState(simdjson::dom::element root, const std::string& source);
  Status AddRawState(simdjson::dom::element root, const std::string& source);
  Status AddSnapshot(simdjson::dom::element root, const std::string& source);
  Status CollectModule(simdjson::dom::element module, const std::string& pointer, const std::string& source,
                       std::vector<Resource>& out);
  void CollectConfiguration(simdjson::dom::element module, const std::string& module_path, ReferenceMap& references);
  uint32_t InternTarget(std::string target);
  void IndexAddresses(size_t count);  // rebuilds by_address_ for resources_[0, count)
  // Appends the configuration-key and address hashes of resources_[index] (index == config_hashes_.size()).
  void HashResource(size_t index, std::string& key_buffer);

  simdjson::dom::element EmptyObject();  // values of resources that have none
  // A copy of `text` that lives as long as the Estate (in blocks that never move), for text no document holds.
  std::string_view Keep(std::string_view text);

  std::vector<std::unique_ptr<Document>> documents_;
  std::unique_ptr<Document> empty_;
  std::vector<Resource> resources_;
  // StringIndex::Hash of each resource's configuration key (its address without instance keys), parallel to
  // resources_: the address index, the configuration and the linker all look resources up by it.
  std::vector<uint64_t> config_hashes_;
  std::vector<uint64_t> address_hashes_;  // StringIndex::Hash of each resource's address, parallel to resources_
  bool linked_ = false;                   // some resource has links (Link clears them before linking again)
  // Views of resources_[i].address (text outside resources_, so they survive its reallocation).
  StringIndex by_address_;
  std::vector<PendingReference> references_;
  std::deque<std::string> reference_targets_;                     // module path without instance keys + "type.name"
  StringIndex reference_target_ids_;                              // views of reference_targets_
  std::vector<std::pair<uint32_t, std::string>> explicit_links_;  // snapshot "links" by address
  std::vector<SourceKind> kinds_;
  std::vector<std::unique_ptr<char[]>> text_blocks_;  // Keep()'s storage
  char* text_next_ = nullptr;                         // the free end of text_blocks_.back()
  size_t text_block_left_ = 0;                        // its size
};

// Converts UTF-16 (with BOM) to UTF-8 and strips a UTF-8 BOM. InvalidArgument on invalid UTF-16.
Result<std::string> NormalizeEncoding(std::string_view bytes, std::string_view source);

}  // namespace tutela::inventory
