#include "tutela/ledger/tree_head.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tutela/core/crypto.h"
#include "tutela/core/file_util.h"

namespace tutela::ledger {

struct Signer::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

Result<std::string> RawPublicKey(EVP_PKEY* pkey) {
  size_t length = 32;
  std::string raw(32, '\0');
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(raw.data()), &length) != 1 || length != 32) {
    return Status::Internal("OpenSSL could not export the Ed25519 public key.");
  }
  return raw;
}

}  // namespace

Signer::~Signer() = default;

Result<std::shared_ptr<const Signer>> Signer::Generate() {
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = context != nullptr && EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_keygen(context, &pkey) == 1;
  EVP_PKEY_CTX_free(context);
  if (!ok) return Status::Internal("OpenSSL could not generate an Ed25519 key.");
  std::shared_ptr<Signer> signer(new Signer());
  signer->key_ = std::make_unique<Key>();
  signer->key_->pkey = pkey;
  TUTELA_ASSIGN_OR_RETURN(signer->public_key_, RawPublicKey(pkey));
  return std::shared_ptr<const Signer>(signer);
}

Result<std::shared_ptr<const Signer>> Signer::Load(const std::filesystem::path& pem_path) {
  TUTELA_ASSIGN_OR_RETURN(std::string pem, ReadFile(pem_path, 1 << 16));
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = bio == nullptr ? nullptr : PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return Status::InvalidArgument(pem_path.string() +
                                   ": not a PEM Ed25519 private key; restore the key file or re-initialise.");
  }
  std::shared_ptr<Signer> signer(new Signer());
  signer->key_ = std::make_unique<Key>();
  signer->key_->pkey = pkey;
  TUTELA_ASSIGN_OR_RETURN(signer->public_key_, RawPublicKey(pkey));
  return std::shared_ptr<const Signer>(signer);
}

Result<std::shared_ptr<const Signer>> Signer::LoadOrCreate(const std::filesystem::path& pem_path) {
  std::error_code error;
  if (std::filesystem::exists(pem_path, error)) return Load(pem_path);
  TUTELA_ASSIGN_OR_RETURN(auto signer, Generate());
  TUTELA_RETURN_IF_ERROR(signer->Save(pem_path));
  return signer;
}

Status Signer::Save(const std::filesystem::path& pem_path) const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio, key_->pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    BIO_free(bio);
    return Status::Internal("OpenSSL could not encode the Ed25519 key as PEM.");
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return WriteFileAtomic(pem_path, pem, 0600);
}

Result<std::string> Signer::Sign(std::string_view message) const {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::string signature(64, '\0');
  size_t length = signature.size();
  bool ok = context != nullptr && EVP_DigestSignInit(context, nullptr, nullptr, nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(context);
  if (!ok || length != 64) return Status::Internal("OpenSSL could not sign with the Ed25519 key.");
  return signature;
}

Status VerifySignature(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) {
    return Status::Corruption("signature refused: an Ed25519 public key has 32 bytes and a signature 64.");
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(public_key.data()), 32);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = pkey != nullptr && context != nullptr &&
            EVP_DigestVerifyInit(context, nullptr, nullptr, nullptr, pkey) == 1 &&
            EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(pkey);
  if (!ok) return Status::Corruption("signature refused: the Ed25519 signature does not match the signed data.");
  return Status::Ok();
}

std::string TreeHeadMessage(uint64_t size, const Hash& root, Timestamp time) {
  return "tutela-tree-head/v1\n" + std::to_string(size) + "\n" + ToHex(root) + "\n" +
         FormatRfc3339(time, TimePrecision::kMicroseconds) + "\n";
}

Result<SignedTreeHead> SignTreeHead(const Signer& signer, const TreeHead& head, Timestamp time) {
  SignedTreeHead signed_head;
  signed_head.size = head.size;
  signed_head.root = head.root;
  signed_head.time = time;
  signed_head.public_key = signer.public_key();
  TUTELA_ASSIGN_OR_RETURN(signed_head.signature, signer.Sign(TreeHeadMessage(head.size, head.root, time)));
  return signed_head;
}

Status VerifyTreeHead(const SignedTreeHead& head, std::string_view trusted_public_key) {
  std::string_view key = trusted_public_key.empty() ? std::string_view(head.public_key) : trusted_public_key;
  if (!trusted_public_key.empty() && !head.public_key.empty() && head.public_key != trusted_public_key) {
    return Status::Corruption("tree head refused: it was signed by key " +
                              ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(head.public_key.data()),
                                                             head.public_key.size())) +
                              ", not the trusted key.");
  }
  Status verified = VerifySignature(key, TreeHeadMessage(head.size, head.root, head.time), head.signature);
  if (!verified.ok())
    return Status::Corruption("tree head of size " + std::to_string(head.size) + " refused: " + verified.message());
  return Status::Ok();
}

namespace {
std::string Hex(const std::string& raw) {
  return ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
}
}  // namespace

nlohmann::json TreeHeadToJson(const SignedTreeHead& head) {
  return {{"size", head.size},
          {"root", ToHex(head.root)},
          {"time", FormatRfc3339(head.time, TimePrecision::kMicroseconds)},
          {"public_key", Hex(head.public_key)},
          {"signature", Hex(head.signature)}};
}

Result<SignedTreeHead> TreeHeadFromJson(const nlohmann::json& json, std::string_view where) {
  auto field = [&](const char* name) -> Result<std::string> {
    if (!json.is_object() || !json.contains(name) || !json[name].is_string()) {
      return Status::InvalidArgument(std::string(where) + ": the tree head has no string field \"" + name + "\".");
    }
    return json[name].get<std::string>();
  };
  SignedTreeHead head;
  if (!json.is_object() || !json.contains("size") || !json["size"].is_number_unsigned()) {
    return Status::InvalidArgument(std::string(where) + ": the tree head has no unsigned field \"size\".");
  }
  head.size = json["size"].get<uint64_t>();
  // A lower layer's message (bad hex, an impossible date) says what is wrong but not where: add the file and field.
  auto at = [&](const char* name) { return std::string(where) + ": field \"" + name + "\""; };
  TUTELA_ASSIGN_OR_RETURN(std::string root_hex, field("root"));
  auto root = FromHex(root_hex);
  if (!root.ok()) return root.status().WithContext(at("root"));
  if (root->size() != 32) return Status::InvalidArgument(std::string(where) + ": \"root\" is not 32 bytes of hex.");
  std::copy(root->begin(), root->end(), head.root.begin());
  TUTELA_ASSIGN_OR_RETURN(std::string time, field("time"));
  auto parsed_time = ParseRfc3339(time);
  if (!parsed_time.ok()) return parsed_time.status().WithContext(at("time"));
  head.time = *parsed_time;
  TUTELA_ASSIGN_OR_RETURN(std::string key_hex, field("public_key"));
  auto key = FromHex(key_hex);
  if (!key.ok()) return key.status().WithContext(at("public_key"));
  head.public_key = std::move(*key);
  TUTELA_ASSIGN_OR_RETURN(std::string signature_hex, field("signature"));
  auto signature = FromHex(signature_hex);
  if (!signature.ok()) return signature.status().WithContext(at("signature"));
  head.signature = std::move(*signature);
  return head;
}

}  // namespace tutela::ledger
