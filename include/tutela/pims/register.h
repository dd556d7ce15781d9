// The register of processing activities (register.yaml; docs/formats/register.md): lint and sync with a PII
// inventory.
//
// LoadRegister parses the file strictly (unknown fields and missing required fields are errors naming
// file:line:column). LintRegister then reports problems that do not stop parsing — unknown jurisdictions, transfers
// without a mechanism, sensitive data on a weak legal basis — as findings. SyncRegister compares the register with
// a PII inventory (what scanners actually found) and reports undeclared processing (PII found in a store where no
// activity declares it) and declared-but-unseen PII.
//
// Values only; functions are reentrant. The register and the inventory hold entity ids and counts, never PII values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/pims/jurisdiction.h"

namespace tutela::pims {

struct DataStore {
  std::string store;      // bucket URI, path or scan root
  std::string terraform;  // optional Terraform address
  std::string region;     // optional
};

struct Transfer {
  std::string from;
  std::string to;
  std::string mechanism;
  std::string where;
};

struct Activity {
  std::string id;
  std::string name;
  std::string purpose;
  std::string legal_basis;
  std::vector<std::string> data_subjects;
  std::vector<std::string> pii;  // entity ids or category names
  std::vector<DataStore> data_stores;
  std::vector<std::string> recipients;
  std::vector<std::string> sub_processors;
  std::vector<Transfer> transfers;
  std::string retention;
  std::vector<std::string> security_measures;  // unified control ids
  std::vector<std::string> jurisdictions;
  std::string where;  // file:line:column
};

struct ProcessingRegister {
  std::string controller;
  std::vector<Activity> activities;
  std::string source;
};

struct RegisterFinding {
  std::string severity;  // "error" | "warning" | "undeclared" | "unseen"
  std::string where;     // file:line:column or store
  std::string activity;  // may be empty
  std::string message;
};

// Parses register.yaml. InvalidArgument naming file:line:column and the field on bad structure, unknown or missing
// fields, duplicate activity ids.
Result<ProcessingRegister> ParseRegister(const std::string& text, const std::string& source);
Result<ProcessingRegister> LoadRegister(const std::filesystem::path& path);

// Semantic checks against the jurisdiction rules; empty when clean.
std::vector<RegisterFinding> LintRegister(const ProcessingRegister& processing, const JurisdictionSet& rules);

// One store of a PII inventory (docs/formats/pii-inventory.md, version 1; the earlier draft with "entities" as an
// object of counts is still read).
struct InventoryStore {
  std::string store;
  std::map<std::string, uint64_t> entities;
  std::map<std::string, std::string> entity_categories;  // version 1 gives each entity its category
  std::vector<std::string> categories;
  bool complete = true;  // false: the scan could not read all of the store, so absence proves nothing
};

// Parses a PII inventory. InvalidArgument naming the store index on a bad structure, another "format", or a
// version other than 1.
Result<std::vector<InventoryStore>> ParsePiiInventory(const nlohmann::json& document, const std::string& source);

// True when a `declared` store covers `found`: the same name, or a path or key under it ("s3://b" covers "s3://b/x").
bool StoreCovers(const std::string& declared, const std::string& found);

// Undeclared (found, not declared for that store) and unseen (declared for a store, found nowhere in it) PII.
// A declared store covers an inventory store with the same name or one under it ("s3://b" covers "s3://b/x").
std::vector<RegisterFinding> SyncRegister(const ProcessingRegister& processing,
                                          const std::vector<InventoryStore>& inventory);

nlohmann::json FindingsToJson(const std::vector<RegisterFinding>& findings);

}  // namespace tutela::pims
