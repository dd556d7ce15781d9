// The PII entity catalog: what the discovery engine looks for, loaded from catalog/pii/*.yaml.
//
// An Entity is data: an id (CREDIT_CARD, CN_RESIDENT_ID, ...), its category, jurisdictions, the privacy laws that
// treat it as sensitive, Vectorscan patterns, the name of a validator (C++ code in validators.h, selected by name),
// multilingual context words and a base score. LoadCatalog() validates every field and reports problems as
// "file:line:column: problem; fix." so a broken catalog never reaches the scanner.
// Ownership: a Catalog is a plain value. Thread-safety: immutable after loading; share freely.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tutela/core/status.h"

namespace tutela::pii {

// The categories an entity may belong to (the list; docs/pii.md).
inline constexpr std::string_view kCategories[] = {"national_id", "tax_id",  "passport", "financial",
                                                   "contact",     "network", "health",   "credential"};

struct Entity {
  std::string id;
  std::string description;
  std::string category;
  std::vector<std::string> jurisdictions;
  std::string sensitivity;                    // low | medium | high
  std::vector<std::string> sensitive_under;   // law ids, e.g. CN-PIPL, KR-PIPA
  std::vector<std::string> patterns;          // Vectorscan syntax
  std::string validator;                      // a name known to FindValidator(), or "none"
  bool check_last = false;                    // the last letter or digit is a check character computed from the
                                              // rest (check_character: last); tokens recompute it (pii-protection.md)
  double score = 0.5;                         // base score of a shape that passed its validator, before context
  std::vector<std::string> context;           // words that raise the score when near a match (ASCII matched
                                              // case-insensitively, as whole words)
  std::vector<std::string> negative_context;  // entity-specific words that lower the score
  std::string where;                          // "file:line:column" of the entity, for messages
};

struct Catalog {
  std::vector<Entity> entities;
  std::vector<std::string> negative_context;  // shared by all entities
  double context_boost = 0.3;
  double negative_penalty = 0.35;
  std::vector<std::string> sources;  // the `source` of every file loaded

  // The entity with `id`, or nullptr.
  const Entity* Find(std::string_view id) const;
};

// Parses one catalog document. `source` names it in messages. InvalidArgument "source:line:col: ..." on any problem:
// a missing or mistyped field, an unknown category, validator or sensitivity, a duplicate id, a score outside [0,1].
Result<Catalog> ParseCatalog(std::string_view yaml_text, std::string_view source);

// Loads `path`: one YAML file, or every *.yaml file of a folder (sorted by name) merged into one catalog.
// NotFound when nothing is there; otherwise as ParseCatalog (duplicate ids across files are refused too).
Result<Catalog> LoadCatalog(const std::filesystem::path& path);

// The catalog folder to use when none is given: $TUTELA_CATALOG_DIR/pii, else <source tree>/catalog/pii, else
// /usr/share/tutela/catalog/pii (the first that exists).
std::filesystem::path DefaultCatalogPath();

}  // namespace tutela::pii
