// Internal to src/server: the web UI's static files and the OpenAPI document, compiled into the binary at build time
// from src/server/web/ (cmake/EmbedFiles.cmake), so the server works offline with no other files.
#pragma once

#include <string_view>

namespace tutela::server {

struct WebAsset {
  std::string_view name;  // file name, e.g. "app.js"
  std::string_view content_type;
  std::string_view content;
};

// nullptr for an unknown name.
const WebAsset* FindWebAsset(std::string_view name);
// src/server/web/openapi.json.
std::string_view OpenApiDocument();

}  // namespace tutela::server
