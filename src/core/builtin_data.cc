#include "tutela/core/builtin_data.h"

#include <cstdlib>

#ifndef TUTELA_BUILTIN_CATALOG_DIR
#define TUTELA_BUILTIN_CATALOG_DIR "catalog"
#endif

namespace tutela {

std::filesystem::path BuiltinCatalogRoot() {
  if (const char* overridden = std::getenv("TUTELA_CATALOG_DIR"); overridden != nullptr && *overridden != '\0') {
    return overridden;
  }
  std::error_code error;
  std::filesystem::path compiled = TUTELA_BUILTIN_CATALOG_DIR;
  if (std::filesystem::is_directory(compiled, error)) return compiled;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    std::filesystem::path installed = self.parent_path().parent_path() / "share" / "tutela" / "catalog";
    if (std::filesystem::is_directory(installed, error)) return installed;
  }
  return compiled;
}

}  // namespace tutela
