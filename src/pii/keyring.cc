#include "tutela/pii/keyring.h"

#include <sys/stat.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/file_util.h"

namespace tutela::pii {
namespace {

constexpr std::string_view kFormat = "tutela.keyring/1";
constexpr size_t kKeyBytes = 32;

std::string Hex(std::string_view bytes) {
  return ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// A public value derived from the key that reveals nothing of it but detects a damaged key: the first 8 bytes of
// HMAC-SHA256(key, "tutela keyring check").
std::string CheckValue(std::string_view material) {
  Digest256 mac = HmacSha256(material, "tutela keyring check");
  return ToHex(std::span<const uint8_t>(mac.data(), 8));
}

}  // namespace

Result<Keyring> Keyring::Generate() {
  Keyring keyring;
  TUTELA_RETURN_IF_ERROR(keyring.AddFreshKey());
  return keyring;
}

Status Keyring::AddFreshKey() {
  TokenKey key;
  TUTELA_ASSIGN_OR_RETURN(key.material, RandomBytes(kKeyBytes));
  do {
    TUTELA_ASSIGN_OR_RETURN(std::string id_bytes, RandomBytes(4));
    key.id = "k" + Hex(id_bytes);
  } while (Find(key.id) != nullptr);
  key.created = NowUtc();
  keys_.push_back(std::move(key));
  active_ = keys_.size() - 1;
  return Status::Ok();
}

Result<std::string> Keyring::Rotate() {
  TUTELA_RETURN_IF_ERROR(AddFreshKey());
  return keys_[active_].id;
}

const TokenKey& Keyring::active() const { return keys_[active_]; }

const TokenKey* Keyring::Find(std::string_view id) const {
  for (const TokenKey& key : keys_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

Status Keyring::Save(const std::filesystem::path& path, bool overwrite) const {
  nlohmann::json keys = nlohmann::json::array();
  for (const TokenKey& key : keys_) {
    keys.push_back({{"id", key.id},
                    {"created", FormatRfc3339(key.created)},
                    {"material", Hex(key.material)},
                    {"check", CheckValue(key.material)}});
  }
  nlohmann::json document{{"format", kFormat}, {"active", keys_[active_].id}, {"keys", keys}};
  AtomicFileWriter writer;
  TUTELA_RETURN_IF_ERROR(writer.Open(path, 0600, overwrite));
  TUTELA_RETURN_IF_ERROR(writer.Write(DumpJson(document, 2) + "\n"));
  return writer.Commit();
}

Result<Keyring> Keyring::Load(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return ErrnoStatus(errno, "read the key file", path);
  if ((info.st_mode & 077) != 0) {
    return Status::PermissionDenied(path.string() +
                                    ": the key file may be read or changed by other users; restrict it with `chmod "
                                    "600 " +
                                    path.string() + "` (and rotate the key if others may have read it).");
  }
  auto corrupt = [&](std::string_view problem) {
    return Status::Corruption(path.string() + ": not a valid Tutela key file (" + std::string(problem) +
                              "); restore it from your backup — tokens made with a lost key cannot be restored.");
  };
  auto text = ReadFile(path, 1 << 20);
  if (!text.ok()) return text.status();
  auto parsed = ParseJson(*text, path.string());
  if (!parsed.ok()) return corrupt("it is not JSON");
  const nlohmann::json& document = *parsed;
  if (!document.is_object() || JsonStringOr(document, "format") != kFormat) return corrupt("unknown format");
  if (!document.contains("keys") || !document["keys"].is_array() || document["keys"].empty()) {
    return corrupt("it holds no keys");
  }
  Keyring keyring;
  for (size_t key_idx = 0; key_idx < document["keys"].size(); ++key_idx) {
    const nlohmann::json& entry = document["keys"][key_idx];
    std::string where = "key " + std::to_string(key_idx + 1);
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string() || !entry.contains("material") ||
        !entry["material"].is_string() || !entry.contains("check") || !entry["check"].is_string()) {
      return corrupt(where + " lacks id, material or check");
    }
    TokenKey key;
    key.id = entry["id"].get<std::string>();
    auto material = FromHex(entry["material"].get<std::string>());
    if (!material.ok() || material->size() != kKeyBytes) return corrupt("key " + key.id + " has malformed material");
    key.material = std::move(*material);
    if (!ConstantTimeEqual(CheckValue(key.material), entry["check"].get<std::string>())) {
      return corrupt("key " + key.id + " does not match its check value: the file is damaged");
    }
    if (entry.contains("created") && entry["created"].is_string()) {
      auto created = ParseRfc3339(entry["created"].get<std::string>());
      if (!created.ok()) return corrupt("key " + key.id + " has a malformed creation time");
      key.created = *created;
    }
    if (keyring.Find(key.id) != nullptr) return corrupt("key id " + key.id + " appears twice");
    keyring.keys_.push_back(std::move(key));
  }
  std::string active = JsonStringOr(document, "active");
  for (size_t key_idx = 0; key_idx < keyring.keys_.size(); ++key_idx) {
    if (keyring.keys_[key_idx].id == active) {
      keyring.active_ = key_idx;
      return keyring;
    }
  }
  return corrupt("the active key \"" + active + "\" is not in the file");
}

}  // namespace tutela::pii
