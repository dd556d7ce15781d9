// The catalog over HTTP: frameworks, requirements, controls, crosswalks, responsibility and certifications, in the
// same JSON shapes as `tutela catalog ... --format json` (tutela/catalog/json.h).
#include "api.h"
#include "tutela/catalog/json.h"
#include "tutela/core/time.h"

namespace tutela::server {
namespace {

namespace cat = catalog;

Reply Frameworks(Call&, Services& services) {
  nlohmann::json list = nlohmann::json::array();
  for (const cat::Framework& framework : services.catalog.frameworks()) {
    nlohmann::json item = cat::FrameworkSummaryJson(framework);
    item.erase("file");  // a server-side path tells a client nothing
    list.push_back(std::move(item));
  }
  return Json({{"frameworks", list}});
}

Reply Framework(Call& call, Services& services) {
  const cat::Framework* framework = services.catalog.FindFramework(call.Param("id"));
  if (framework == nullptr) return Error(404, "not_found", "no framework \"" + call.Param("id") + "\".");
  return Json(cat::FrameworkJson(*framework));
}

// GET /api/v1/requirements?framework=F&id=R (ids such as 164.308(a)(1) do not sit well in a path).
Reply Requirement(Call& call, Services& services) {
  const cat::Framework* framework = services.catalog.FindFramework(call.Query("framework"));
  if (framework == nullptr) return Error(404, "not_found", "no framework \"" + call.Query("framework") + "\".");
  const cat::Requirement* requirement = framework->FindRequirement(call.Query("id"));
  if (requirement == nullptr) {
    return Error(404, "not_found", "framework " + framework->id + " has no requirement \"" + call.Query("id") + "\".");
  }
  nlohmann::json body = cat::RequirementJson(*requirement);
  body["framework"] = framework->id;
  nlohmann::json controls = nlohmann::json::array();
  for (const cat::ControlMapping& mapping : requirement->controls) {
    if (const cat::Control* control = services.catalog.FindControl(mapping.control)) {
      nlohmann::json item = cat::ControlJson(*control);
      item["relationship"] = cat::RelationshipName(mapping.relationship);
      nlohmann::json checks = nlohmann::json::array();
      for (const policy::Check& check : services.checks.checks()) {
        if (std::find(check.controls.begin(), check.controls.end(), control->id) != check.controls.end()) {
          checks.push_back(
              {{"id", check.id}, {"title", check.title}, {"severity", policy::SeverityName(check.severity)}});
        }
      }
      item["checks"] = checks;
      controls.push_back(std::move(item));
    }
  }
  body["control_details"] = controls;
  return Json(body);
}

Reply Controls(Call&, Services& services) {
  nlohmann::json list = nlohmann::json::array();
  for (const cat::Control& control : services.catalog.controls()) list.push_back(cat::ControlJson(control));
  return Json({{"controls", list}});
}

Reply Control(Call& call, Services& services) {
  const cat::Control* control = services.catalog.FindControl(call.Param("id"));
  if (control == nullptr) return Error(404, "not_found", "no control \"" + call.Param("id") + "\".");
  nlohmann::json body = cat::ControlJson(*control);
  body["requirements"] = cat::ControlRequirementsJson(services.catalog, *control);
  return Json(body);
}

Reply Crosswalk(Call& call, Services& services) {
  if (call.Query("from").empty() || call.Query("to").empty()) {
    return Error(400, "invalid", "give ?from=FRAMEWORK[:REQUIREMENT]&to=FRAMEWORK.");
  }
  auto result = cat::Crosswalk(services.catalog, call.Query("from"), call.Query("to"));
  if (!result.ok()) return FromStatus(result.status());
  return Json(cat::CrosswalkJson(*result));
}

Reply Responsibility(Call& call, Services& services) {
  auto model = cat::ParseServiceModel(call.Query("service_model", "iaas"));
  if (!model) return Error(400, "invalid", "?service_model must be iaas, paas or saas.");
  std::string framework = call.Query("framework");
  auto rows = cat::Responsibility(services.catalog, *model, framework);
  if (!rows.ok()) return FromStatus(rows.status());
  return Json(cat::ResponsibilityJson(*rows, *model, framework));
}

// Certifications by region and service, with their status on ?as_of (default today).
Reply Certifications(Call& call, Services& services) {
  std::string as_of = call.Query("as_of");
  if (as_of.empty()) {
    as_of = FormatDate(NowUtc());
  } else if (auto date = ParseDate(as_of); date.ok()) {
    as_of = FormatDate(*date);
  } else {
    return Error(400, "invalid", "?as_of must be a date, YYYY-MM-DD.");
  }
  std::string region = call.Query("region");
  std::string service = call.Query("service");
  std::string framework = call.Query("framework");
  auto listed = [](const std::vector<std::string>& values, const std::string& wanted) {
    return wanted.empty() || std::find(values.begin(), values.end(), wanted) != values.end();
  };
  nlohmann::json list = nlohmann::json::array();
  for (const cat::Certification& record : services.catalog.certifications()) {
    if (!listed(record.scope.regions, region) || !listed(record.scope.services, service)) continue;
    if (!framework.empty() && record.framework != framework) continue;
    nlohmann::json item = cat::CertificationJson(record, as_of);
    if (const cat::Framework* known = services.catalog.FindFramework(record.framework))
      item["framework_name"] = known->name;
    list.push_back(std::move(item));
  }
  return Json({{"as_of", as_of}, {"certifications", list}});
}

}  // namespace

void AddCatalogRoutes(std::vector<Route>& routes) {
  routes.push_back({{"GET", "/api/v1/frameworks", true, kStaff, "read the catalog"}, Frameworks});
  routes.push_back({{"GET", "/api/v1/frameworks/{id}", true, kStaff, "read the catalog"}, Framework});
  routes.push_back({{"GET", "/api/v1/requirements", true, kStaff, "read the catalog"}, Requirement});
  routes.push_back({{"GET", "/api/v1/controls", true, kStaff, "read the catalog"}, Controls});
  routes.push_back({{"GET", "/api/v1/controls/{id}", true, kStaff, "read the catalog"}, Control});
  routes.push_back({{"GET", "/api/v1/crosswalk", true, kStaff, "read the catalog"}, Crosswalk});
  routes.push_back({{"GET", "/api/v1/responsibility", true, kStaff, "read the catalog"}, Responsibility});
  routes.push_back({{"GET", "/api/v1/certifications", true, {}, "read certifications"}, Certifications});
}

}  // namespace tutela::server
