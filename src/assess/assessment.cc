// The assessment engine: evaluation, exceptions, PII awareness and the roll-up to controls and frameworks.
#include "tutela/assess/assessment.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "tutela/core/data.h"
#include "tutela/core/file_util.h"
#include "tutela/core/time.h"

namespace tutela::assess {

std::string_view ResultStatusName(ResultStatus status) {
  static constexpr std::string_view kNames[] = {"pass", "fail", "unknown", "not_applicable", "excepted"};
  return kNames[static_cast<int>(status)];
}

std::string_view RequirementStatusName(RequirementStatus status) {
  static constexpr std::string_view kNames[] = {"passed",    "failed",         "unknown", "manual",
                                                "inherited", "not_applicable", "excepted"};
  return kNames[static_cast<int>(status)];
}

bool MatchesPattern(std::string_view pattern, std::string_view text) {
  // Iterative glob with backtracking to the last `*`: linear in practice, never exponential.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<std::vector<Exception>> ParseExceptions(std::string_view text, std::string_view source) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, source));
  auto bad = [&](const YAML::Node& at, std::string_view problem) {
    return Status::InvalidArgument(YamlWhere(source, at) + ": " + std::string(problem) +
                                   "; see \"Exceptions\" in docs/assess.md.");
  };
  if (!root.IsMap() || !root["exceptions"] || !root["exceptions"].IsSequence()) {
    return bad(root, "an exceptions file is a mapping with an `exceptions` list");
  }
  std::vector<Exception> out;
  std::set<std::string> ids;
  size_t position = 0;
  for (const YAML::Node& entry : root["exceptions"]) {
    ++position;
    if (!entry.IsMap()) return bad(entry, "each exception is a mapping");
    Exception exception;
    exception.where = YamlWhere(source, entry);
    for (const auto& field : entry) {
      std::string key = field.first.Scalar();
      static const std::set<std::string> kKnown = {"id",     "check",    "resource", "requirement",
                                                   "reason", "approver", "expires"};
      if (!kKnown.count(key)) {
        return bad(field.first, "unknown field \"" + key +
                                    "\" (allowed: id, check, resource, requirement, reason, approver, expires)");
      }
      if (!field.second.IsScalar() || field.second.Scalar().empty()) {
        return bad(field.second, "`" + key + "` must be a non-empty string");
      }
    }
    auto text_of = [&](const char* key) { return entry[key] ? entry[key].Scalar() : std::string(); };
    exception.id = entry["id"] ? text_of("id") : "exception-" + std::to_string(position);
    exception.check = text_of("check");
    exception.resource = entry["resource"] ? text_of("resource") : "*";
    exception.requirement = text_of("requirement");
    exception.reason = text_of("reason");
    exception.approver = text_of("approver");
    exception.expires = text_of("expires");
    if (exception.check.empty() == exception.requirement.empty()) {
      return bad(entry,
                 "an exception names either a `check` (with an optional `resource` pattern) or a "
                 "`requirement` (FRAMEWORK:REQUIREMENT), not both and not neither");
    }
    if (!exception.requirement.empty() && entry["resource"]) {
      return bad(entry["resource"], "`resource` applies to check exceptions only; drop it or name a check");
    }
    if (!exception.requirement.empty() && exception.requirement.find(':') == std::string::npos) {
      return bad(entry["requirement"], "`requirement` is FRAMEWORK:REQUIREMENT, e.g. pci-dss-4.0:3.5.1");
    }
    if (exception.reason.empty()) return bad(entry, "the exception has no `reason`");
    if (exception.approver.empty()) return bad(entry, "the exception has no `approver`");
    if (exception.expires.empty()) {
      return bad(entry, "the exception has no `expires` date (YYYY-MM-DD); exceptions must expire");
    }
    if (!ParseDate(exception.expires).ok() || exception.expires.size() != 10) {
      return bad(entry["expires"], "`expires` must be a date YYYY-MM-DD");
    }
    if (!ids.insert(exception.id).second) return bad(entry["id"], "duplicate exception id \"" + exception.id + "\"");
    out.push_back(std::move(exception));
  }
  return out;
}

Result<std::vector<Exception>> LoadExceptions(const std::filesystem::path& path) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseExceptions(text, path.string());
}

Result<std::vector<PiiStore>> ParsePiiInventory(std::string_view text, std::string_view source) {
  TUTELA_ASSIGN_OR_RETURN(nlohmann::json root, ParseJson(text, source));
  auto bad = [&](std::string_view pointer, std::string_view problem) {
    return Status::InvalidArgument(std::string(source) + "#" + std::string(pointer) + ": " + std::string(problem) +
                                   "; a PII inventory is what `tutela pii scan --inventory` writes "
                                   "(docs/formats/pii-inventory.md).");
  };
  if (!root.is_object() || JsonStringOr(root, "format") != "tutela-pii-inventory") {
    return bad("/format", "not a PII inventory (format must be \"tutela-pii-inventory\")");
  }
  if (!root.contains("version") || !root["version"].is_number_integer() || root["version"].get<int64_t>() != 1) {
    return bad("/version", "only version 1 is understood");
  }
  if (!root.contains("stores") || !root["stores"].is_array()) return bad("/stores", "`stores` must be an array");
  std::vector<PiiStore> out;
  size_t index = 0;
  for (const nlohmann::json& entry : root["stores"]) {
    std::string pointer = "/stores/" + std::to_string(index++);
    if (!entry.is_object() || !entry.contains("store") || !entry["store"].is_string()) {
      return bad(pointer, "each store needs a string `store`");
    }
    PiiStore store;
    store.store = entry["store"].get<std::string>();
    // Present but wrongly typed or out of range used to be ignored: "max_sensitivity": 5 on a store of card numbers
    // silently lost the raised severity.
    if (entry.contains("max_sensitivity")) {
      const nlohmann::json& level = entry["max_sensitivity"];
      if (!level.is_string() || (level != "high" && level != "medium" && level != "low" && level != "none")) {
        return bad(pointer + "/max_sensitivity", "must be \"high\", \"medium\", \"low\" or \"none\"");
      }
      store.max_sensitivity = level.get<std::string>();
    }
    if (entry.contains("findings")) {
      if (!entry["findings"].is_number_unsigned())
        return bad(pointer + "/findings", "must be a whole number, 0 or more");
      store.findings = entry["findings"].get<uint64_t>();
    }
    for (const char* key : {"categories", "sensitive_under"}) {
      if (!entry.contains(key)) continue;
      if (!entry[key].is_array()) return bad(pointer + "/" + key, "must be an array of strings");
      for (const nlohmann::json& item : entry[key]) {
        if (!item.is_string()) return bad(pointer + "/" + key, "must be an array of strings");
        (std::string_view(key) == "categories" ? store.categories : store.sensitive_under)
            .push_back(item.get<std::string>());
      }
    }
    out.push_back(std::move(store));
  }
  return out;
}

Result<std::vector<PiiStore>> LoadPiiInventory(const std::filesystem::path& path) {
  TUTELA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParsePiiInventory(text, path.string());
}

double FrameworkCounts::Score() const {
  size_t assessed = passed + failed + unknown;
  return assessed == 0 ? 0.0 : static_cast<double>(passed) / static_cast<double>(assessed);
}

std::string_view ControlResult::Status() const {
  if (counts[1]) return "fail";
  if (counts[2]) return "unknown";
  if (counts[0]) return "pass";
  if (counts[4]) return "excepted";
  if (counts[3]) return "not_applicable";
  return "none";
}

const ControlResult* Assessment::FindControl(std::string_view id) const {
  auto found =
      std::lower_bound(controls.begin(), controls.end(), id,
                       [](const ControlResult& control, std::string_view key) { return control.control->id < key; });
  return found != controls.end() && found->control->id == id ? &*found : nullptr;
}

std::string Assessment::MessageOf(const ResultRow& row) const {
  const policy::Check& check = checks->checks()[row.check];
  std::string message;
  switch (row.status) {
    case ResultStatus::kPass:
      message = check.title + ".";
      break;
    case ResultStatus::kFail:
      message = check.message;
      break;
    case ResultStatus::kUnknown:
      message =
          "A value this check needs is not known until apply (or is missing from the input); re-assess the "
          "applied state.";
      break;
    case ResultStatus::kNotApplicable:
      message = "The check does not apply to this resource.";
      break;
    case ResultStatus::kExcepted: {
      const Exception& exception = exceptions[row.exception];
      message = "Excepted by " + exception.id + " (approved by " + exception.approver + ", until " + exception.expires +
                "): " + exception.reason;
      break;
    }
  }
  if (row.pii_store >= 0 && pii[row.pii_store].Sensitive() &&
      (row.status == ResultStatus::kFail || row.status == ResultStatus::kUnknown)) {
    message += " The resource holds sensitive personal data (PII store \"" + pii[row.pii_store].store +
               "\"), so the severity is one level higher.";
  }
  return message;
}

namespace {

// The names a PII store can be given for a resource: its address, its name, and its bucket/name/id/arn values.
bool StoreNamesResource(std::string_view store, const inventory::Resource& resource) {
  for (std::string_view scheme : {"s3://", "cos://", "gs://"}) {
    if (!store.starts_with(scheme)) continue;
    store.remove_prefix(scheme.size());
    if (size_t slash = store.find('/'); slash != std::string_view::npos) store = store.substr(0, slash);
    break;
  }
  if (store.empty()) return false;
  if (store == resource.address || store == resource.name) return true;
  if (resource.values.type() != simdjson::dom::element_type::OBJECT) return false;
  for (const char* key : {"bucket", "name", "id", "arn", "identifier", "instance_name"}) {
    std::string_view value;
    if (resource.values[key].get_string().get(value) == simdjson::SUCCESS && value == store) return true;
  }
  return false;
}

// The region of an availability zone: "ap-guangzhou-3" -> "ap-guangzhou" (Tencent Cloud), "eu-west-1a" ->
// "eu-west-1" (AWS). Empty when the text looks like neither.
std::string RegionOfZone(std::string_view zone) {
  if (zone.size() < 4) return {};
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (lower(zone.back()) && digit(zone[zone.size() - 2])) return std::string(zone.substr(0, zone.size() - 1));
  size_t dash = zone.rfind('-');
  if (dash != std::string_view::npos && dash + 1 < zone.size() &&
      std::all_of(zone.begin() + dash + 1, zone.end(), digit) && zone.substr(0, dash).find('-') != std::string::npos) {
    return std::string(zone.substr(0, dash));
  }
  return {};
}

// The regions in `used` that the certificate's scope does not list (none when the scope lists no region).
std::vector<std::string> RegionsOutside(const catalog::Certification& certificate,
                                        const std::vector<std::string>& used) {
  std::vector<std::string> outside;
  const auto& scope = certificate.scope.regions;
  if (scope.empty()) return outside;
  for (const std::string& region : used) {
    if (std::find(scope.begin(), scope.end(), region) == scope.end()) outside.push_back(region);
  }
  return outside;
}

// The service categories in `used` that no entry of the certificate's scope names. Not judged (none) when no entry
// names a category the catalog knows: such a scope speaks another vocabulary, and every service would look outside.
std::vector<std::string> ServicesOutside(const catalog::Catalog& catalog, const catalog::Certification& certificate,
                                         const std::vector<std::string>& used) {
  std::vector<std::string> outside;
  const auto& scope = certificate.scope.services;
  auto names = [&](const catalog::ServiceCategory& service) {
    return std::any_of(scope.begin(), scope.end(), [&](const std::string& entry) { return service.Named(entry); });
  };
  if (!std::any_of(catalog.services().begin(), catalog.services().end(), names)) return outside;
  for (const std::string& id : used) {
    auto service = std::find_if(catalog.services().begin(), catalog.services().end(),
                                [&](const catalog::ServiceCategory& candidate) { return candidate.id == id; });
    if (service != catalog.services().end() && !names(*service)) outside.push_back(id);
  }
  return outside;
}

policy::Severity Raise(policy::Severity severity) {
  return severity == policy::Severity::kCritical ? severity
                                                 : static_cast<policy::Severity>(static_cast<int>(severity) + 1);
}

}  // namespace

Result<Assessment> Assess(const policy::CheckSet& checks, const inventory::Estate& estate,
                          const catalog::Catalog& catalog, Options options) {
  Assessment assessment;
  assessment.checks = &checks;
  assessment.estate = &estate;
  assessment.catalog = &catalog;
  assessment.service_model = options.service_model;
  assessment.date = options.today.empty() ? FormatDate(NowUtc()) : options.today;
  if (!ParseDate(assessment.date).ok()) {
    return Status::InvalidArgument("assessment date \"" + assessment.date + "\" is not a date YYYY-MM-DD.");
  }

  // Which checks to report.
  std::vector<bool> reported(checks.checks().size(), options.only_checks.empty());
  for (const std::string& id : options.only_checks) {
    int64_t index = checks.Find(id);
    if (index < 0) {
      return Status::NotFound("--check " + id +
                              ": no such check; `tutela assess --help` shows where the checks are, and catalog/checks "
                              "lists them.");
    }
    reported[index] = true;
  }

  // Frameworks to roll up to.
  std::vector<const catalog::Framework*> frameworks;
  if (options.frameworks.empty()) {
    for (const catalog::Framework& framework : catalog.frameworks()) frameworks.push_back(&framework);
  } else {
    for (const std::string& id : options.frameworks) {
      const catalog::Framework* framework = catalog.FindFramework(id);
      if (!framework) {
        return Status::NotFound("--framework " + id +
                                ": no such framework in the catalog; `tutela catalog frameworks` "
                                "lists them.");
      }
      if (std::find(frameworks.begin(), frameworks.end(), framework) == frameworks.end())
        frameworks.push_back(framework);
    }
  }

  // Exceptions: validate what they name, decide which have expired.
  assessment.exceptions = std::move(options.exceptions);
  for (Exception& exception : assessment.exceptions) {
    if (!exception.check.empty() && exception.check != "*" && checks.Find(exception.check) < 0) {
      return Status::InvalidArgument(exception.where + ": exception " + exception.id + " names check \"" +
                                     exception.check + "\", which does not exist; fix the id or remove the entry.");
    }
    if (!exception.requirement.empty()) {
      size_t colon = exception.requirement.find(':');
      const catalog::Framework* framework = catalog.FindFramework(exception.requirement.substr(0, colon));
      if (!framework || !framework->FindRequirement(exception.requirement.substr(colon + 1))) {
        return Status::InvalidArgument(exception.where + ": exception " + exception.id + " names requirement \"" +
                                       exception.requirement +
                                       "\", which the catalog does not define; use FRAMEWORK:REQUIREMENT as "
                                       "`tutela catalog show` prints them.");
      }
    }
    exception.expired = exception.expires < assessment.date;
  }

  // PII: which resources hold which store, and the labels the `pii` condition reads.
  assessment.pii = std::move(options.pii);
  const auto& resources = estate.resources();
  policy::ResourceFacts facts;
  std::vector<int32_t> store_of(resources.size(), -1);
  if (!assessment.pii.empty()) {
    facts.pii.resize(resources.size());
    for (uint32_t index = 0; index < resources.size(); ++index) {
      const inventory::Resource& resource = resources[index];
      if (resource.data_source) continue;
      for (size_t store = 0; store < assessment.pii.size(); ++store) {
        PiiStore& pii = assessment.pii[store];
        if (!StoreNamesResource(pii.store, resource)) continue;
        pii.resources.push_back(index);
        if (store_of[index] < 0 || (pii.Sensitive() && !assessment.pii[store_of[index]].Sensitive())) {
          store_of[index] = static_cast<int32_t>(store);
        }
        std::vector<std::string>& labels = facts.pii[index];
        if (pii.findings > 0 || !pii.categories.empty()) labels.push_back("any");
        if (pii.Sensitive()) labels.push_back("sensitive");
        labels.insert(labels.end(), pii.categories.begin(), pii.categories.end());
      }
    }
  }

  // Regions and service categories in use, per provider, to compare with the scope of the provider's certificates.
  {
    std::set<std::string> regions, services;
    struct Use {
      std::set<std::string> regions, services;
    };
    std::map<std::string_view, Use> by_provider;
    std::map<std::string_view, const catalog::ServiceCategory*> service_of;  // per resource type, looked up once
    for (const inventory::Resource& resource : resources) {
      if (resource.data_source) continue;
      Use* use = resource.provider.empty() ? nullptr : &by_provider[resource.provider];
      auto [known, added] = service_of.try_emplace(resource.type, nullptr);
      if (added) known->second = catalog.ServiceOf(resource.type);
      if (known->second != nullptr) {
        services.insert(known->second->id);
        if (use != nullptr) use->services.insert(known->second->id);
      }
      if (resource.values.type() != simdjson::dom::element_type::OBJECT) continue;
      std::string_view text;
      std::string region;
      if (resource.values["region"].get_string().get(text) == simdjson::SUCCESS && !text.empty()) {
        region = text;
      } else if (resource.values["availability_zone"].get_string().get(text) == simdjson::SUCCESS) {
        region = RegionOfZone(text);
      }
      if (region.empty()) continue;
      if (use != nullptr) use->regions.insert(region);
      regions.insert(std::move(region));
    }
    assessment.regions.assign(regions.begin(), regions.end());
    assessment.services.assign(services.begin(), services.end());
    for (const auto& [provider, use] : by_provider) {
      assessment.providers.push_back({std::string(provider),
                                      {use.regions.begin(), use.regions.end()},
                                      {use.services.begin(), use.services.end()}});
    }
  }

  // Evaluate, then apply exceptions and PII severity.
  std::vector<policy::CheckResult> evaluated =
      policy::Evaluate(checks, estate, options.threads, assessment.pii.empty() ? nullptr : &facts);
  assessment.results.reserve(evaluated.size());
  for (const policy::CheckResult& result : evaluated) {
    if (!reported[result.check]) continue;
    const policy::Check& check = checks.checks()[result.check];
    ResultRow row;
    row.check = result.check;
    row.resource = result.resource;
    row.status = row.evaluated = static_cast<ResultStatus>(static_cast<int>(result.outcome));
    row.severity = check.severity;
    row.pii_store = store_of[result.resource];
    if (row.pii_store >= 0 && assessment.pii[row.pii_store].Sensitive()) row.severity = Raise(row.severity);
    if (row.status == ResultStatus::kFail || row.status == ResultStatus::kUnknown) {
      for (size_t index = 0; index < assessment.exceptions.size(); ++index) {
        Exception& exception = assessment.exceptions[index];
        if (exception.expired || exception.check.empty()) continue;
        if (exception.check != "*" && exception.check != check.id) continue;
        if (!MatchesPattern(exception.resource, resources[result.resource].address)) continue;
        row.status = ResultStatus::kExcepted;
        row.exception = static_cast<int32_t>(index);
        ++exception.applied;
        break;
      }
    }
    ++assessment.counts[static_cast<int>(row.status)];
    assessment.results.push_back(row);
  }

  // Roll up to unified controls.
  std::map<std::string, ControlResult, std::less<>> controls;
  // Each check's control entries, found once per check rather than once per result (a 100k-resource plan gives
  // ~450k results): null until the check's first result.
  std::vector<std::vector<ControlResult*>> check_controls(checks.checks().size());
  std::vector<bool> check_seen(checks.checks().size(), false);
  for (const ResultRow& row : assessment.results) {
    std::vector<ControlResult*>& entries = check_controls[row.check];
    if (!check_seen[row.check]) {
      check_seen[row.check] = true;
      for (const std::string& id : checks.checks()[row.check].controls) {
        auto [it, added] = controls.try_emplace(id);
        if (added) {
          it->second.control = catalog.FindControl(id);
          if (!it->second.control) {
            return Status::InvalidArgument(checks.checks()[row.check].where + ": check " +
                                           checks.checks()[row.check].id + " names control " + id +
                                           ", which the catalog does not define.");
          }
        }
        entries.push_back(&it->second);
      }
    }
    for (ControlResult* control : entries) {
      ++control->counts[static_cast<int>(row.status)];
      if (control->checks.empty() || control->checks.back() != row.check) {
        if (std::find(control->checks.begin(), control->checks.end(), row.check) == control->checks.end()) {
          control->checks.push_back(row.check);
        }
      }
    }
  }
  for (auto& [id, control] : controls) {
    std::sort(control.checks.begin(), control.checks.end());
    assessment.controls.push_back(std::move(control));
  }

  // Roll up to framework requirements through the catalog's requirement -> unified control mappings.
  for (const catalog::Framework* framework : frameworks) {
    FrameworkResult result;
    result.framework = framework;
    // What the portfolio holds for each provider of the estate: its own records first, then records that name no
    // provider. An estate without resources (or providers) is judged against every record, as one provider.
    std::vector<ProviderInheritance> inheritance;
    std::vector<Assessment::ProviderUse> uses = assessment.providers;
    if (uses.empty()) uses.push_back({"", assessment.regions, assessment.services});
    for (const Assessment::ProviderUse& use : uses) {
      ProviderInheritance entry;
      entry.provider = use.provider;
      for (int pass = 0; pass < 2 && entry.certificate == nullptr; ++pass) {
        for (const catalog::Certification& certification : catalog.certifications()) {
          if (certification.framework != framework->id) continue;
          bool own = !use.provider.empty() && certification.provider == use.provider;
          bool general = certification.provider.empty() || use.provider.empty();
          if (pass == 0 ? !own : !general) continue;
          if ((!certification.issued.empty() && certification.issued > assessment.date) ||
              (!certification.expires.empty() && certification.expires < assessment.date)) {
            if (!entry.lapsed_certificate) entry.lapsed_certificate = &certification;
            continue;
          }
          entry.certificate = &certification;
          break;
        }
      }
      if (entry.certificate != nullptr) {
        entry.lapsed_certificate = nullptr;
        entry.regions_outside_scope = RegionsOutside(*entry.certificate, use.regions);
        entry.services_outside_scope = ServicesOutside(catalog, *entry.certificate, use.services);
      }
      inheritance.push_back(std::move(entry));
    }
    // One record answering for every provider: the estate-wide fields (and the output) read as before.
    bool one_answer = true;
    for (const ProviderInheritance& entry : inheritance) {
      one_answer = one_answer && entry.certificate == inheritance.front().certificate &&
                   entry.lapsed_certificate == inheritance.front().lapsed_certificate;
    }
    const catalog::Certification* certificate = one_answer ? inheritance.front().certificate : nullptr;
    const catalog::Certification* lapsed = one_answer ? inheritance.front().lapsed_certificate : nullptr;
    // The estate-wide scope gaps depend only on the certificate: worked out once for every inherited requirement.
    std::vector<std::string> regions_outside, services_outside;
    if (certificate) {
      regions_outside = RegionsOutside(*certificate, assessment.regions);
      services_outside = ServicesOutside(catalog, *certificate, assessment.services);
    }
    for (const catalog::Requirement& requirement : framework->requirements) {
      if (!requirement.assessable) continue;
      RequirementResult row;
      row.requirement = &requirement;
      std::set<std::string> needed;
      bool fail = false, unknown = false, pass = false, excepted = false, not_applicable = false, full = false;
      bool provider_owned = !requirement.controls.empty() && assessment.service_model.has_value();
      std::set<uint32_t> evidencing;
      for (const catalog::ControlMapping& mapping : requirement.controls) {
        row.controls.push_back(mapping.control);
        const catalog::Control* control = catalog.FindControl(mapping.control);
        if (provider_owned && (!control || control->OwnerFor(*assessment.service_model) != catalog::Owner::kProvider)) {
          provider_owned = false;
        }
        const ControlResult* evidence = assessment.FindControl(mapping.control);
        std::string_view status = evidence ? evidence->Status() : "none";
        if (status == "none" || status == "not_applicable") {
          if (status == "not_applicable") not_applicable = true;
          if (control) needed.insert(control->evidence.begin(), control->evidence.end());
          continue;
        }
        row.evidenced.push_back(mapping.control);
        evidencing.insert(evidence->checks.begin(), evidence->checks.end());
        fail |= status == "fail";
        unknown |= status == "unknown";
        excepted |= status == "excepted";
        if (status == "pass") {
          pass = true;
          full |= mapping.relationship == catalog::Relationship::kEqual ||
                  mapping.relationship == catalog::Relationship::kSuperset;
        }
      }
      row.checks.assign(evidencing.begin(), evidencing.end());
      if (requirement.manual) needed.insert(requirement.manual_evidence.begin(), requirement.manual_evidence.end());
      row.evidence_needed.assign(needed.begin(), needed.end());
      if (fail) {
        row.status = RequirementStatus::kFailed;
      } else if (unknown) {
        row.status = RequirementStatus::kUnknown;
      } else if (pass) {
        row.status = RequirementStatus::kPassed;
        row.coverage = full && row.evidenced.size() == row.controls.size() ? catalog::Coverage::kFull
                                                                           : catalog::Coverage::kPartial;
      } else if (excepted) {
        row.status = RequirementStatus::kExcepted;
      } else if (provider_owned) {
        row.status = RequirementStatus::kInherited;
        row.by_provider = inheritance;
        row.certificate = certificate;
        if (!certificate) row.lapsed_certificate = lapsed;
        row.regions_outside_scope = regions_outside;
        row.services_outside_scope = services_outside;
      } else if (not_applicable) {
        row.status = RequirementStatus::kNotApplicable;
      } else {
        row.status = RequirementStatus::kManual;
      }
      if (row.status == RequirementStatus::kFailed || row.status == RequirementStatus::kUnknown ||
          row.status == RequirementStatus::kManual) {
        std::string key = framework->id + ":" + requirement.id;
        for (size_t index = 0; index < assessment.exceptions.size(); ++index) {
          Exception& exception = assessment.exceptions[index];
          if (exception.expired || exception.requirement != key) continue;
          row.status = RequirementStatus::kExcepted;
          row.exception = static_cast<int32_t>(index);
          ++exception.applied;
          break;
        }
      }
      FrameworkCounts& counts = result.counts;
      ++counts.total;
      switch (row.status) {
        case RequirementStatus::kPassed:
          ++counts.passed;
          break;
        case RequirementStatus::kFailed:
          ++counts.failed;
          break;
        case RequirementStatus::kUnknown:
          ++counts.unknown;
          break;
        case RequirementStatus::kManual:
          ++counts.manual;
          break;
        case RequirementStatus::kInherited:
          ++counts.inherited;
          break;
        case RequirementStatus::kNotApplicable:
          ++counts.not_applicable;
          break;
        case RequirementStatus::kExcepted:
          ++counts.excepted;
          break;
      }
      result.requirements.push_back(std::move(row));
    }
    assessment.frameworks.push_back(std::move(result));
  }

  // Per check: the requirements of each framework its controls map to.
  std::unordered_map<std::string, std::vector<std::pair<uint32_t, const std::string*>>> by_control;
  for (uint32_t index = 0; index < assessment.frameworks.size(); ++index) {
    for (const RequirementResult& requirement : assessment.frameworks[index].requirements) {
      for (const std::string& control : requirement.controls) {
        by_control[control].emplace_back(index, &requirement.requirement->id);
      }
    }
  }
  assessment.check_requirements.resize(checks.checks().size());
  for (size_t check = 0; check < checks.checks().size(); ++check) {
    std::map<uint32_t, std::vector<std::string>> per_framework;
    for (const std::string& control : checks.checks()[check].controls) {
      auto found = by_control.find(control);
      if (found == by_control.end()) continue;
      for (const auto& [framework, id] : found->second) {
        std::vector<std::string>& ids = per_framework[framework];
        if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
      }
    }
    for (auto& [framework, ids] : per_framework) {
      assessment.check_requirements[check].emplace_back(framework, std::move(ids));
    }
  }
  return assessment;
}

}  // namespace tutela::assess
