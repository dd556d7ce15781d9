// Where Tutela's built-in knowledge lives: the catalog/ folder of frameworks, controls, certifications, checks, PII
// entities and jurisdiction rules. Every module finds its data through BuiltinCatalogRoot(), so one setting moves all
// of it.
//
// Order: $TUTELA_CATALOG_DIR when set (a deliberate override); else the source tree's catalog/ compiled in at build
// time, when it still exists (development builds and tests); else PREFIX/share/tutela/catalog beside the installed
// binary (PREFIX/bin/tutela). ($TUTELA_CATALOG is different: extra user folders read after the built-in catalog.)
// Thread-safety: reentrant.
#pragma once

#include <filesystem>

namespace tutela {

std::filesystem::path BuiltinCatalogRoot();

}  // namespace tutela
