// vault::S3Server — the S3-compatible HTTP/1.1 front end of a vault::Store (cpp-httplib: keep-alive, a thread pool
// for concurrent requests). Every request is authenticated with AWS SigV4 (sigv4.h) against the users of USERS.yaml;
// path-style (/bucket/key) and virtual-host-style (bucket.DOMAIN) addressing; S3 error XML with S3's status codes.
// The server only parses and renders: every rule (Object Lock, versioning) is the Store's.
//
// Ownership: the server borrows the Store, which must outlive it. Thread-safety: Stop() may be called from any thread
// (e.g. a signal-handling thread) while Run() blocks in another.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/vault/sigv4.h"
#include "tutela/vault/store.h"

namespace tutela::vault {

// Reads USERS.yaml: `users: [{name, access_key, secret_key, bypass_governance}]`. InvalidArgument with file:line
// for a missing field, a duplicate access key or a wrong type.
Result<std::vector<Credentials>> LoadUsers(const std::filesystem::path& path);

// The conditional headers of a GetObject / HeadObject, verbatim (nullopt when absent).
struct Preconditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
  std::optional<std::string> if_unmodified_since;
};

// Evaluates them in RFC 7232 §6 order, as S3 does: If-Match, else If-Unmodified-Since (412 PreconditionFailed);
// then If-None-Match, else If-Modified-Since (304 NotModified). ETag lists may hold "*", several tags, W/ tags;
// dates are IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT"), compared at whole seconds (the precision of
// Last-Modified); a date in another form is ignored. `etag` is the object's quoted ETag.
Status CheckPreconditions(const Preconditions& conditions, const std::string& etag, Timestamp last_modified);
// IMF-fixdate; nullopt for anything else.
std::optional<Timestamp> ParseHttpDate(const std::string& text);

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 9000;  // 0: any free port (see S3Server::port())
  std::vector<Credentials> users;
  std::string region = "us-east-1";
  std::string domain;  // virtual-host base: Host "b.DOMAIN" addresses bucket b; empty: "localhost" and the host
  std::chrono::seconds max_skew = std::chrono::minutes(15);
  size_t max_object_bytes = size_t{5} << 30;
};

class S3Server {
 public:
  S3Server(Store& store, ServerOptions options);
  ~S3Server();
  // Binds the listening socket. IoError naming host:port when it is taken.
  Status Bind();
  // The bound port.
  int port() const;
  // Serves until Stop(); in-flight requests finish first.
  Status Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tutela::vault
