#include "tutela/vault/s3_server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "tutela/core/crypto.h"
#include "tutela/core/data.h"
#include "tutela/core/json_text.h"
#include "tutela/vault/checksum.h"

namespace tutela::vault {
namespace {

constexpr std::string_view kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";
// GET bodies up to this size are read whole; larger ones are streamed from the file in pieces of this size.
constexpr uint64_t kWholeReadBytes = uint64_t{1} << 20;

std::string Xml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Tag(std::string_view name, std::string_view value) {
  return "<" + std::string(name) + ">" + Xml(value) + "</" + std::string(name) + ">";
}

// 2026-01-01T00:00:00.000Z
std::string IsoTime(Timestamp time) { return FormatRfc3339(time, TimePrecision::kMilliseconds); }

// Wed, 21 Oct 2015 07:28:00 GMT
std::string HttpDate(Timestamp time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(time));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

// Content-MD5 as raw bytes; "" (which the store refuses as InvalidDigest) when it is not base64.
std::string ContentMd5(const httplib::Request& req) {
  return Base64Decode(req.get_header_value("Content-MD5")).value_or("");
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void SendError(httplib::Response& res, const S3Error& error, const std::string& resource) {
  res.status = error.http_status;
  if (error.http_status == 304) return;
  res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>" + Tag("Code", error.code) +
                      Tag("Message", error.message) +
                      Tag("Resource", IsUtf8(resource) ? resource : UriEncode(resource, false)) +
                      Tag("RequestId", "tutela") + "</Error>",
                  "application/xml");
}

Status S3Err(std::string_view code, const std::string& message) {
  return Status::InvalidArgument(std::string(code) + ": " + message);
}

// S3 object keys and the headers the vault records (Content-Type) are UTF-8 text: anything else is refused before it
// reaches the store, whose tamper-evident log records them as JSON text.
Status CheckUtf8(const httplib::Request& req, std::string_view key) {
  if (!IsUtf8(key)) return S3Err("InvalidArgument", "the object key is not UTF-8 text; S3 object keys are UTF-8.");
  if (!IsUtf8(req.get_header_value("Content-Type"))) {
    return S3Err("InvalidArgument", "the Content-Type header is not UTF-8 text.");
  }
  return Status::Ok();
}

void SendXml(httplib::Response& res, const std::string& body) {
  res.status = 200;
  res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body, "application/xml");
}

void SetLockHeaders(httplib::Response& res, const ObjectVersion& version) {
  if (version.lock_mode != LockMode::kNone && version.retain_until) {
    res.set_header("x-amz-object-lock-mode", std::string(LockModeName(version.lock_mode)));
    res.set_header("x-amz-object-lock-retain-until-date", IsoTime(*version.retain_until));
  }
  res.set_header("x-amz-object-lock-legal-hold", version.legal_hold ? "ON" : "OFF");
}

Result<pugi::xml_document> ParseBody(const std::string& body) {
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size())) {
    return S3Err("MalformedXML", "the XML you provided was not well-formed or did not validate.");
  }
  return document;
}

}  // namespace

// Wed, 21 Oct 2015 07:28:00 GMT (RFC 7231 IMF-fixdate); nullopt for anything else (such headers are ignored).
std::optional<Timestamp> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::from_time_t(timegm(&tm)));
}

namespace {

// True when an If-Match / If-None-Match list ("*", or comma-separated, quoted or not, weak or not) names `etag`.
bool EtagListMatches(const std::string& list, const std::string& etag) {
  std::string bare = etag;
  std::erase(bare, '"');
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.starts_with("W/")) item.erase(0, 2);
    std::erase(item, '"');
    if (item == "*" || item == bare) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

Status CheckPreconditions(const Preconditions& conditions, const std::string& etag, Timestamp last_modified) {
  auto seconds = [](Timestamp time) { return std::chrono::floor<std::chrono::seconds>(time); };
  const Status failed =
      Status::InvalidArgument("PreconditionFailed: At least one of the pre-conditions you specified did not hold.");
  const Status not_modified = Status::InvalidArgument("NotModified: not modified");
  if (conditions.if_match) {
    if (!EtagListMatches(*conditions.if_match, etag)) return failed;
  } else if (auto since = ParseHttpDate(conditions.if_unmodified_since.value_or(""))) {
    if (seconds(last_modified) > seconds(*since)) return failed;
  }
  if (conditions.if_none_match) {
    if (EtagListMatches(*conditions.if_none_match, etag)) return not_modified;
  } else if (auto since = ParseHttpDate(conditions.if_modified_since.value_or(""))) {
    if (seconds(last_modified) <= seconds(*since)) return not_modified;
  }
  return Status::Ok();
}

Result<std::vector<Credentials>> LoadUsers(const std::filesystem::path& path) {
  TUTELA_ASSIGN_OR_RETURN(YAML::Node root, LoadYamlFile(path));
  std::string source = path.string();
  if (!root.IsMap() || !root["users"] || !root["users"].IsSequence()) {
    return Status::InvalidArgument(YamlWhere(source, root) + ": expected `users:` with a list of users.");
  }
  std::vector<Credentials> users;
  std::set<std::string> keys;
  for (const YAML::Node& node : root["users"]) {
    Credentials user;
    for (const char* field : {"name", "access_key", "secret_key"}) {
      if (!node.IsMap() || !node[field] || !node[field].IsScalar() || node[field].Scalar().empty()) {
        return Status::InvalidArgument(YamlWhere(source, node) + ": the user needs a non-empty `" + field + "`.");
      }
    }
    user.user = node["name"].Scalar();
    user.access_key = node["access_key"].Scalar();
    user.secret_key = node["secret_key"].Scalar();
    if (node["bypass_governance"]) {
      std::string value = node["bypass_governance"].Scalar();
      if (value != "true" && value != "false") {
        return Status::InvalidArgument(YamlWhere(source, node["bypass_governance"]) +
                                       ": bypass_governance must be true or false.");
      }
      user.bypass_governance = value == "true";
    }
    if (!keys.insert(user.access_key).second) {
      return Status::InvalidArgument(YamlWhere(source, node) + ": access key of user \"" + user.user +
                                     "\" is used twice; give each user its own.");
    }
    users.push_back(std::move(user));
  }
  return users;
}

struct S3Server::Impl {
  Store& store;
  ServerOptions options;
  httplib::Server server;
  int port = 0;

  Impl(Store& s, ServerOptions o) : store(s), options(std::move(o)) {}

  void Handle(const httplib::Request& req, httplib::Response& res) {
    // The S3 layer answers Range itself (206, Content-Range, 416 error XML); httplib would apply the parsed ranges a
    // second time to whatever body we return, error documents included, so they are cleared here.
    const_cast<httplib::Request&>(req).ranges.clear();
    std::string resource = req.path;
    Status status = Dispatch(req, res);
    if (!status.ok()) {
      S3Error error = S3ErrorOf(status);
      if (status.code() == StatusCode::kIoError || status.code() == StatusCode::kCorruption) {
        error = S3Error{500, "InternalError", status.message()};
      }
      SendError(res, error, resource);
    }
  }

  static SigV4Request ToSigV4(const httplib::Request& req) {
    SigV4Request signed_request;
    signed_request.method = req.method;
    signed_request.path = req.path;
    for (const auto& [name, value] : req.params) signed_request.query.emplace(name, value);
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      signed_request.headers.emplace(lower, value);
    }
    return signed_request;
  }

  // Addressing: virtual-host style when Host is "<bucket>.<domain>", path style otherwise. Returns bucket and key.
  std::pair<std::string, std::string> Address(const httplib::Request& req) const {
    std::string host = req.get_header_value("Host");
    host = host.substr(0, host.find(':'));
    std::string path = req.path.empty() ? "/" : req.path;
    std::string domain = options.domain.empty() ? "localhost" : options.domain;
    if (host.size() > domain.size() + 1 && host.ends_with("." + domain)) {
      return {host.substr(0, host.size() - domain.size() - 1), path.substr(1)};
    }
    size_t slash = path.find('/', 1);
    return {path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1),
            slash == std::string::npos ? "" : path.substr(slash + 1)};
  }

  // PUT requests arrive unread. A plain PutObject or UploadPart (no other query, no copy; signed by an Authorization
  // header with the payload hash given as a hex SHA-256 or UNSIGNED-PAYLOAD, or by a presigned URL, whose payload is
  // unsigned) streams its body into the store while hashing it; every other PUT (aws-chunked bodies, configuration
  // documents) is read whole.
  void HandlePut(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    const_cast<httplib::Request&>(req).ranges.clear();
    std::string payload = req.get_header_value("x-amz-content-sha256");
    bool hex = payload.size() == 64 && payload.find_first_not_of("0123456789abcdef") == std::string::npos;
    auto [bucket, key] = Address(req);
    bool presigned = !req.has_header("Authorization") && req.has_param("X-Amz-Signature");
    size_t query_auth = 0;  // the X-Amz-* parameters of a presigned URL
    if (presigned) {
      for (const auto& [name, value] : req.params) query_auth += name.rfind("X-Amz-", 0) == 0 ? 1 : 0;
    }
    bool part = req.has_param("uploadId") && req.has_param("partNumber");
    bool plain_query = req.params.size() == query_auth + (part ? 2 : 0);
    bool chunked = payload == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || payload == "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    bool signed_payload = presigned
                              ? payload.empty() || payload == "UNSIGNED-PAYLOAD"
                              : req.has_header("Authorization") && (hex || payload == "UNSIGNED-PAYLOAD" || chunked);
    bool streamable = plain_query && !req.has_header("x-amz-copy-source") && signed_payload && !bucket.empty() &&
                      !key.empty() && !req.is_multipart_form_data();
    if (!streamable) {
      std::string body;
      reader([&](const char* data, size_t length) {
        body.append(data, length);
        return true;
      });
      const_cast<httplib::Request&>(req).body = std::move(body);
      Handle(req, res);
      return;
    }
    Status status = StreamPut(req, res, reader, bucket, key);
    if (!status.ok()) {
      S3Error error = S3ErrorOf(status);
      if (status.code() == StatusCode::kIoError || status.code() == StatusCode::kCorruption) {
        error = S3Error{500, "InternalError", status.message()};
      }
      SendError(res, error, req.path);
    }
  }

  Status StreamPut(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                   const std::string& bucket, const std::string& key) {
    auto drain = [&] {
      reader([](const char*, size_t) { return true; });  // keep the connection's framing for the next request
    };
    SigV4Request signed_request = ToSigV4(req);
    signed_request.body_deferred = true;
    auto auth = Authenticate(signed_request, options.users, NowUtc(), options.max_skew);
    if (!auth.ok()) {
      drain();
      return auth.status();
    }
    if (Status text = CheckUtf8(req, key); !text.ok()) {
      drain();
      return text;
    }
    std::vector<Checksum> checksums = RequestChecksums(req, *auth);
    std::vector<std::string> algorithms;
    for (const Checksum& checksum : checksums) algorithms.push_back(checksum.algorithm);
    // An aws-chunked body may announce checksums that arrive as trailers (x-amz-trailer: x-amz-checksum-crc32).
    std::string announced = req.get_header_value("x-amz-trailer");
    for (size_t from = 0; from <= announced.size();) {
      size_t comma = std::min(announced.find(',', from), announced.size());
      std::string_view name = std::string_view(announced).substr(from, comma - from);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      if (auto algorithm = ChecksumAlgorithmOfHeader(name);
          algorithm && std::find(algorithms.begin(), algorithms.end(), *algorithm) == algorithms.end()) {
        algorithms.push_back(*algorithm);
      }
      from = comma + 1;
    }
    auto body = store.ReceiveBody(algorithms);
    if (!body.ok()) {
      drain();
      return body.status();
    }
    std::optional<ChunkedDecoder> decoder;
    if (auth->chunked) decoder.emplace(*auth->chunked);
    Status appended = Status::Ok();
    auto append = [&](std::string_view piece) { return (*body)->Append(piece); };
    bool complete = reader([&](const char* data, size_t length) {
      if (!appended.ok()) return true;  // keep reading: the connection's framing stays intact for the next request
      appended = decoder ? decoder->Feed(std::string_view(data, length), append) : append({data, length});
      return true;
    });
    TUTELA_RETURN_IF_ERROR(appended);
    if (!complete) return S3Err("IncompleteBody", "the request body ended before its declared length.");
    if (decoder) {
      TUTELA_RETURN_IF_ERROR(decoder->Finish());
      for (const auto& [name, value] : decoder->trailers()) {
        if (auto algorithm = ChecksumAlgorithmOfHeader(name)) checksums.push_back(Checksum{*algorithm, value});
      }
    }
    if (!auth->expected_sha256.empty() && (*body)->Sha256Hex() != auth->expected_sha256) {
      return S3Err("XAmzContentSHA256Mismatch",
                   "the x-amz-content-sha256 you specified did not match what we received.");
    }
    if (req.has_param("uploadId")) {  // UploadPart
      std::optional<std::string> md5;
      if (req.has_header("Content-MD5")) md5 = ContentMd5(req);
      TUTELA_ASSIGN_OR_RETURN(std::string etag, store.UploadPart(bucket, key, req.get_param_value("uploadId"),
                                                                 std::atoi(req.get_param_value("partNumber").c_str()),
                                                                 **body, md5, HasChecksumHeader(req), checksums));
      res.set_header("ETag", "\"" + etag + "\"");
      res.status = 200;
      return Status::Ok();
    }
    TUTELA_ASSIGN_OR_RETURN(PutObjectRequest request, LockRequest(req, bucket, key));
    if (req.has_header("Content-MD5")) request.content_md5 = ContentMd5(req);
    request.checksum_header = HasChecksumHeader(req);
    request.checksums = std::move(checksums);
    Caller caller{auth->user.user, auth->user.bypass_governance};
    TUTELA_ASSIGN_OR_RETURN(ObjectVersion version, store.PutObject(caller, request, **body));
    res.set_header("ETag", "\"" + version.etag + "\"");
    if (version.version_id != "null") res.set_header("x-amz-version-id", version.version_id);
    res.status = 200;
    return Status::Ok();
  }

  Status Dispatch(const httplib::Request& req, httplib::Response& res) {
    SigV4Request signed_request = ToSigV4(req);
    // The body moves (a large object is not copied); handlers read it from AuthResult::body.
    signed_request.body = std::move(const_cast<httplib::Request&>(req).body);
    TUTELA_ASSIGN_OR_RETURN(AuthResult auth, Authenticate(signed_request, options.users, NowUtc(), options.max_skew));
    Caller caller{auth.user.user, auth.user.bypass_governance};
    auto [bucket, key] = Address(req);
    const std::string& method = req.method;
    if (bucket.empty()) {
      if (method == "GET") return ListBuckets(caller, res);
      return S3Err("MethodNotAllowed", "the method is not allowed against the service.");
    }
    if (key.empty()) return BucketOp(caller, req, res, bucket, auth.body);
    TUTELA_RETURN_IF_ERROR(CheckUtf8(req, key));
    return ObjectOp(caller, req, res, bucket, key, auth);
  }

  Status ListBuckets(const Caller& caller, httplib::Response& res) {
    TUTELA_ASSIGN_OR_RETURN(auto buckets, store.ListBuckets());
    std::string body = "<ListAllMyBucketsResult xmlns=\"" + std::string(kXmlns) + "\"><Owner>" +
                       Tag("ID", caller.user) + Tag("DisplayName", caller.user) + "</Owner><Buckets>";
    for (const BucketInfo& bucket : buckets) {
      body += "<Bucket>" + Tag("Name", bucket.name) + Tag("CreationDate", IsoTime(bucket.created)) + "</Bucket>";
    }
    SendXml(res, body + "</Buckets></ListAllMyBucketsResult>");
    return Status::Ok();
  }

  Status BucketOp(const Caller& caller, const httplib::Request& req, httplib::Response& res, const std::string& bucket,
                  const std::string& body) {
    const std::string& method = req.method;
    if (method == "PUT" && req.has_param("versioning")) {
      TUTELA_ASSIGN_OR_RETURN(auto document, ParseBody(body));
      std::string status = document.child("VersioningConfiguration").child_value("Status");
      TUTELA_RETURN_IF_ERROR(store.PutBucketVersioning(caller, bucket, status));
      res.status = 200;
      return Status::Ok();
    }
    if (method == "PUT" && req.has_param("object-lock")) {
      TUTELA_ASSIGN_OR_RETURN(auto document, ParseBody(body));
      pugi::xml_node config = document.child("ObjectLockConfiguration");
      LockConfigurationRequest request;
      request.object_lock_enabled = config.child_value("ObjectLockEnabled");
      pugi::xml_node retention = config.child("Rule").child("DefaultRetention");
      if (retention) {
        if (retention.child("Mode")) request.mode = retention.child_value("Mode");
        if (retention.child("Days")) request.days = std::atoll(retention.child_value("Days"));
        if (retention.child("Years")) request.years = std::atoll(retention.child_value("Years"));
      }
      TUTELA_RETURN_IF_ERROR(store.PutObjectLockConfiguration(caller, bucket, request));
      res.status = 200;
      return Status::Ok();
    }
    if (method == "PUT") {
      bool lock = IEquals(req.get_header_value("x-amz-bucket-object-lock-enabled"), "true");
      TUTELA_RETURN_IF_ERROR(store.CreateBucket(caller, bucket, lock));
      res.set_header("Location", "/" + bucket);
      res.status = 200;
      return Status::Ok();
    }
    if (method == "DELETE") {
      TUTELA_RETURN_IF_ERROR(store.DeleteBucket(caller, bucket));
      res.status = 204;
      return Status::Ok();
    }
    if (method == "HEAD") {
      TUTELA_RETURN_IF_ERROR(store.GetBucket(bucket).status());
      res.set_header("x-amz-bucket-region", options.region);
      res.status = 200;
      return Status::Ok();
    }
    if (method == "POST" && req.has_param("delete")) {
      bool bypass = IEquals(req.get_header_value("x-amz-bypass-governance-retention"), "true");
      return DeleteObjects(caller, bucket, body, bypass, res);
    }
    if (method != "GET") return S3Err("MethodNotAllowed", "the method is not allowed against this bucket.");
    TUTELA_ASSIGN_OR_RETURN(BucketInfo info, store.GetBucket(bucket));
    if (req.has_param("versioning")) {
      std::string status = info.versioning.empty() ? "" : Tag("Status", info.versioning);
      SendXml(res, "<VersioningConfiguration xmlns=\"" + std::string(kXmlns) + "\">" + status +
                       "</VersioningConfiguration>");
      return Status::Ok();
    }
    if (req.has_param("object-lock")) {
      TUTELA_ASSIGN_OR_RETURN(BucketInfo config, store.GetObjectLockConfiguration(bucket));
      std::string rule;
      if (config.default_retention) {
        const DefaultRetention& retention = *config.default_retention;
        rule = "<Rule><DefaultRetention>" + Tag("Mode", LockModeName(retention.mode)) +
               (retention.days > 0 ? Tag("Days", std::to_string(retention.days))
                                   : Tag("Years", std::to_string(retention.years))) +
               "</DefaultRetention></Rule>";
      }
      SendXml(res, "<ObjectLockConfiguration xmlns=\"" + std::string(kXmlns) +
                       "\"><ObjectLockEnabled>Enabled</ObjectLockEnabled>" + rule + "</ObjectLockConfiguration>");
      return Status::Ok();
    }
    if (req.has_param("location")) {
      SendXml(res, "<LocationConstraint xmlns=\"" + std::string(kXmlns) + "\"></LocationConstraint>");
      return Status::Ok();
    }
    if (req.has_param("versions")) return ListObjectVersions(req, res, bucket);
    if (req.has_param("uploads")) {
      ListUploadsOptions list;
      list.prefix = req.get_param_value("prefix");
      list.key_marker = req.get_param_value("key-marker");
      list.upload_id_marker = req.get_param_value("upload-id-marker");
      TUTELA_ASSIGN_OR_RETURN(int max_uploads, IntParam(req, "max-uploads", 1000));
      list.max_uploads = static_cast<size_t>(std::min(max_uploads, 1000));
      TUTELA_ASSIGN_OR_RETURN(auto uploads, store.ListMultipartUploads(bucket, list));
      bool truncated = uploads.size() > list.max_uploads;
      if (truncated) uploads.resize(list.max_uploads);
      std::string out = "<ListMultipartUploadsResult xmlns=\"" + std::string(kXmlns) + "\">" + Tag("Bucket", bucket) +
                        Tag("KeyMarker", list.key_marker) + Tag("UploadIdMarker", list.upload_id_marker) +
                        Tag("Prefix", list.prefix) + Tag("MaxUploads", std::to_string(list.max_uploads)) +
                        Tag("IsTruncated", truncated ? "true" : "false");
      if (truncated) {
        out += Tag("NextKeyMarker", uploads.back().key) + Tag("NextUploadIdMarker", uploads.back().upload_id);
      }
      for (const MultipartUpload& upload : uploads) {
        out += "<Upload>" + Tag("Key", upload.key) + Tag("UploadId", upload.upload_id) +
               Tag("Initiated", IsoTime(upload.initiated)) + "</Upload>";
      }
      SendXml(res, out + "</ListMultipartUploadsResult>");
      return Status::Ok();
    }
    return ListObjects(req, res, bucket);
  }

  Status ListObjects(const httplib::Request& req, httplib::Response& res, const std::string& bucket) {
    bool v2 = req.get_param_value("list-type") == "2";
    std::string prefix = req.get_param_value("prefix");
    std::string delimiter = req.get_param_value("delimiter");
    size_t max_keys = req.has_param("max-keys") ? std::stoul(req.get_param_value("max-keys")) : 1000;
    std::string start = v2 ? (req.has_param("continuation-token") ? req.get_param_value("continuation-token")
                                                                  : req.get_param_value("start-after"))
                           : req.get_param_value("marker");
    ListVersionsOptions options{prefix, SIZE_MAX - 1, true, start};
    TUTELA_ASSIGN_OR_RETURN(auto versions, store.ListVersions(bucket, options));
    std::string contents;
    std::vector<std::string> prefixes;
    size_t count = 0;
    bool truncated = false;
    std::string last;
    for (const ObjectVersion& version : versions) {
      std::string common;
      if (!delimiter.empty()) {
        size_t at = version.key.find(delimiter, prefix.size());
        if (at != std::string::npos) common = version.key.substr(0, at + delimiter.size());
      }
      if (!common.empty() && !prefixes.empty() && prefixes.back() == common) continue;
      if (count == max_keys) {
        truncated = true;
        break;
      }
      ++count;
      if (!common.empty()) {
        prefixes.push_back(common);
        last = common + "\xff";  // the next page starts after every key under this prefix
        continue;
      }
      last = version.key;
      contents += "<Contents>" + Tag("Key", version.key) + Tag("LastModified", IsoTime(version.last_modified)) +
                  Tag("ETag", "\"" + version.etag + "\"") + Tag("Size", std::to_string(version.size)) +
                  "<StorageClass>STANDARD</StorageClass></Contents>";
    }
    std::string body = std::string(v2 ? "<ListBucketResult" : "<ListBucketResult") + " xmlns=\"" + std::string(kXmlns) +
                       "\">" + Tag("Name", bucket) + Tag("Prefix", prefix) + Tag("MaxKeys", std::to_string(max_keys)) +
                       Tag("IsTruncated", truncated ? "true" : "false");
    if (!delimiter.empty()) body += Tag("Delimiter", delimiter);
    if (v2) {
      body += Tag("KeyCount", std::to_string(count));
      if (req.has_param("continuation-token"))
        body += Tag("ContinuationToken", req.get_param_value("continuation-token"));
      if (truncated) body += Tag("NextContinuationToken", last);
    } else {
      body += Tag("Marker", start);
      if (truncated) body += Tag("NextMarker", last);
    }
    body += contents;
    for (const std::string& common : prefixes) body += "<CommonPrefixes>" + Tag("Prefix", common) + "</CommonPrefixes>";
    SendXml(res, body + "</ListBucketResult>");
    return Status::Ok();
  }

  Status ListObjectVersions(const httplib::Request& req, httplib::Response& res, const std::string& bucket) {
    std::string prefix = req.get_param_value("prefix");
    size_t max_keys = req.has_param("max-keys") ? std::stoul(req.get_param_value("max-keys")) : 1000;
    std::string key_marker = req.get_param_value("key-marker");
    TUTELA_ASSIGN_OR_RETURN(auto versions, store.ListVersions(bucket, {prefix, max_keys, false, key_marker}));
    bool truncated = versions.size() > max_keys;
    if (truncated) versions.resize(max_keys);
    // Pages end at key boundaries so a key's versions are never split (simplification of S3's version-id-marker).
    if (truncated) {
      std::string last_key = versions.back().key;
      while (versions.size() > 1 && versions.back().key == last_key) versions.pop_back();
    }
    std::string body = "<ListVersionsResult xmlns=\"" + std::string(kXmlns) + "\">" + Tag("Name", bucket) +
                       Tag("Prefix", prefix) + Tag("KeyMarker", key_marker) + Tag("MaxKeys", std::to_string(max_keys)) +
                       Tag("IsTruncated", truncated ? "true" : "false");
    if (truncated) body += Tag("NextKeyMarker", versions.back().key);
    for (const ObjectVersion& v : versions) {
      std::string common = Tag("Key", v.key) + Tag("VersionId", v.version_id) +
                           Tag("IsLatest", v.is_latest ? "true" : "false") +
                           Tag("LastModified", IsoTime(v.last_modified));
      if (v.delete_marker) {
        body += "<DeleteMarker>" + common + "</DeleteMarker>";
      } else {
        body += "<Version>" + common + Tag("ETag", "\"" + v.etag + "\"") + Tag("Size", std::to_string(v.size)) +
                "<StorageClass>STANDARD</StorageClass></Version>";
      }
    }
    SendXml(res, body + "</ListVersionsResult>");
    return Status::Ok();
  }

  Status DeleteObjects(const Caller& caller, const std::string& bucket, const std::string& body, bool bypass,
                       httplib::Response& res) {
    TUTELA_ASSIGN_OR_RETURN(auto document, ParseBody(body));
    pugi::xml_node root = document.child("Delete");
    if (!root) return S3Err("MalformedXML", "the body must be a <Delete> document.");
    bool quiet = IEquals(root.child_value("Quiet"), "true");
    std::string out = "<DeleteResult xmlns=\"" + std::string(kXmlns) + "\">";
    for (pugi::xml_node object : root.children("Object")) {
      std::string key = object.child_value("Key");
      std::string version_id = object.child_value("VersionId");
      auto result = IsUtf8(key) ? store.DeleteObject(caller, bucket, key, version_id, bypass)
                                : Result<DeleteResult>(S3Err("InvalidArgument", "the object key is not UTF-8 text."));
      if (result.ok()) {
        if (quiet) continue;
        out += "<Deleted>" + Tag("Key", key);
        if (!version_id.empty()) out += Tag("VersionId", version_id);
        if (result->delete_marker) {
          out += "<DeleteMarker>true</DeleteMarker>";
          if (version_id.empty()) out += Tag("DeleteMarkerVersionId", result->version_id);
        }
        out += "</Deleted>";
      } else {
        S3Error error = S3ErrorOf(result.status());
        out += "<Error>" + Tag("Key", key) + (version_id.empty() ? "" : Tag("VersionId", version_id)) +
               Tag("Code", error.code) + Tag("Message", error.message) + "</Error>";
      }
    }
    SendXml(res, out + "</DeleteResult>");
    return Status::Ok();
  }

  // The x-amz-checksum-* values of a request, from its headers and its aws-chunked trailers.
  static std::vector<Checksum> RequestChecksums(const httplib::Request& req, const AuthResult& auth) {
    std::vector<Checksum> checksums;
    for (const auto& [name, value] : req.headers) {
      if (auto algorithm = ChecksumAlgorithmOfHeader(name)) checksums.push_back(Checksum{*algorithm, value});
    }
    for (const auto& [name, value] : auth.trailers) {
      if (auto algorithm = ChecksumAlgorithmOfHeader(name)) checksums.push_back(Checksum{*algorithm, value});
    }
    return checksums;
  }

  // x-amz-copy-source ("BUCKET/KEY" or "/BUCKET/KEY", URL-encoded, optional "?versionId=V").
  static Result<CopySource> ParseCopySource(const httplib::Request& req) {
    std::string source = httplib::detail::decode_url(req.get_header_value("x-amz-copy-source"), false);
    if (source.starts_with("/")) source.erase(0, 1);
    CopySource out;
    if (size_t at = source.find("?versionId="); at != std::string::npos) {
      out.version_id = source.substr(at + 11);
      source.resize(at);
    }
    size_t slash = source.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == source.size()) {
      return S3Err("InvalidArgument", "x-amz-copy-source must be BUCKET/KEY.");
    }
    out.bucket = source.substr(0, slash);
    out.key = source.substr(slash + 1);
    return out;
  }

  Status ObjectOp(const Caller& caller, const httplib::Request& req, httplib::Response& res, const std::string& bucket,
                  const std::string& key, const AuthResult& auth) {
    const std::string& body = auth.body;
    const std::string& method = req.method;
    std::string version_id = req.get_param_value("versionId");
    bool bypass = IEquals(req.get_header_value("x-amz-bypass-governance-retention"), "true");
    if (req.has_param("uploads") && method == "POST") {
      TUTELA_ASSIGN_OR_RETURN(PutObjectRequest request, LockRequest(req, bucket, key));
      TUTELA_ASSIGN_OR_RETURN(std::string upload_id, store.CreateMultipartUpload(caller, request));
      SendXml(res, "<InitiateMultipartUploadResult xmlns=\"" + std::string(kXmlns) + "\">" + Tag("Bucket", bucket) +
                       Tag("Key", key) + Tag("UploadId", upload_id) + "</InitiateMultipartUploadResult>");
      return Status::Ok();
    }
    if (req.has_param("uploadId")) {
      std::string upload_id = req.get_param_value("uploadId");
      if (method == "PUT") {
        int part_number = std::atoi(req.get_param_value("partNumber").c_str());
        if (req.has_header("x-amz-copy-source")) return UploadPartCopy(req, res, bucket, key, upload_id, part_number);
        std::optional<std::string> md5;
        if (req.has_header("Content-MD5")) md5 = ContentMd5(req);
        TUTELA_ASSIGN_OR_RETURN(std::string etag,
                                store.UploadPart(bucket, key, upload_id, part_number, body, md5, HasChecksumHeader(req),
                                                 RequestChecksums(req, auth)));
        res.set_header("ETag", "\"" + etag + "\"");
        res.status = 200;
        return Status::Ok();
      }
      if (method == "POST") {
        TUTELA_ASSIGN_OR_RETURN(auto document, ParseBody(body));
        std::vector<std::pair<int, std::string>> parts;
        for (pugi::xml_node part : document.child("CompleteMultipartUpload").children("Part")) {
          parts.emplace_back(std::atoi(part.child_value("PartNumber")), part.child_value("ETag"));
        }
        TUTELA_ASSIGN_OR_RETURN(ObjectVersion version,
                                store.CompleteMultipartUpload(caller, bucket, key, upload_id, parts));
        if (version.version_id != "null") res.set_header("x-amz-version-id", version.version_id);
        SendXml(res, "<CompleteMultipartUploadResult xmlns=\"" + std::string(kXmlns) + "\">" +
                         Tag("Location", "/" + bucket + "/" + key) + Tag("Bucket", bucket) + Tag("Key", key) +
                         Tag("ETag", "\"" + version.etag + "\"") + "</CompleteMultipartUploadResult>");
        return Status::Ok();
      }
      if (method == "DELETE") {
        TUTELA_RETURN_IF_ERROR(store.AbortMultipartUpload(bucket, key, upload_id));
        res.status = 204;
        return Status::Ok();
      }
      TUTELA_ASSIGN_OR_RETURN(int marker, IntParam(req, "part-number-marker", 0));
      TUTELA_ASSIGN_OR_RETURN(int max_parts, IntParam(req, "max-parts", 1000));
      max_parts = std::min(max_parts, 1000);
      TUTELA_ASSIGN_OR_RETURN(auto parts, store.ListParts(bucket, key, upload_id, marker, max_parts));
      bool truncated = parts.size() > static_cast<size_t>(max_parts);
      if (truncated) parts.resize(max_parts);
      std::string out = "<ListPartsResult xmlns=\"" + std::string(kXmlns) + "\">" + Tag("Bucket", bucket) +
                        Tag("Key", key) + Tag("UploadId", upload_id) + Tag("PartNumberMarker", std::to_string(marker)) +
                        Tag("MaxParts", std::to_string(max_parts)) + Tag("IsTruncated", truncated ? "true" : "false");
      if (!parts.empty()) out += Tag("NextPartNumberMarker", std::to_string(parts.back().number));
      for (const PartInfo& part : parts) {
        out += "<Part>" + Tag("PartNumber", std::to_string(part.number)) +
               Tag("LastModified", IsoTime(part.last_modified)) + Tag("ETag", "\"" + part.etag + "\"") +
               Tag("Size", std::to_string(part.size)) + "</Part>";
      }
      SendXml(res, out + "</ListPartsResult>");
      return Status::Ok();
    }
    if (req.has_param("retention")) {
      if (method == "PUT") {
        TUTELA_ASSIGN_OR_RETURN(auto document, ParseBody(body));
        pugi::xml_node retention = document.child("Retention");
        std::string mode = retention.child_value("Mode");
        std::optional<Timestamp> until;
        std::string until_text = retention.child_value("RetainUntilDate");
        if (!until_text.empty()) {
          auto parsed = ParseRfc3339(until_text);
          if (!parsed.ok()) return S3Err("MalformedXML", "RetainUntilDate is not an ISO 8601 date-time.");
          until = *parsed;
        }
        TUTELA_RETURN_IF_ERROR(store.PutObjectRetention(caller, bucket, key, version_id, mode, until, bypass));
        res.status = 200;
        return Status::Ok();
      }
      TUTELA_ASSIGN_OR_RETURN(BucketInfo info, store.GetBucket(bucket));
      if (!info.lock_enabled) return S3Err("InvalidRequest", "bucket is missing Object Lock configuration.");
      TUTELA_ASSIGN_OR_RETURN(ObjectVersion v, store.HeadObject(bucket, key, version_id));
      if (v.lock_mode == LockMode::kNone || !v.retain_until) {
        return Status::NotFound(
            "NoSuchObjectLockConfiguration: the specified object does not have an ObjectLock "
            "configuration.");
      }
      SendXml(res, "<Retention xmlns=\"" + std::string(kXmlns) + "\">" + Tag("Mode", LockModeName(v.lock_mode)) +
                       Tag("RetainUntilDate", IsoTime(*v.retain_until)) + "</Retention>");
      return Status::Ok();
    }
    if (req.has_param("legal-hold")) {
      if (method == "PUT") {
        TUTELA_ASSIGN_OR_RETURN(auto document, ParseBody(body));
        TUTELA_RETURN_IF_ERROR(store.PutObjectLegalHold(caller, bucket, key, version_id,
                                                        document.child("LegalHold").child_value("Status")));
        res.status = 200;
        return Status::Ok();
      }
      TUTELA_ASSIGN_OR_RETURN(BucketInfo info, store.GetBucket(bucket));
      if (!info.lock_enabled) return S3Err("InvalidRequest", "bucket is missing Object Lock configuration.");
      TUTELA_ASSIGN_OR_RETURN(ObjectVersion v, store.HeadObject(bucket, key, version_id));
      SendXml(res, "<LegalHold xmlns=\"" + std::string(kXmlns) + "\">" + Tag("Status", v.legal_hold ? "ON" : "OFF") +
                       "</LegalHold>");
      return Status::Ok();
    }
    if (method == "PUT") return PutObject(caller, req, res, bucket, key, auth);
    if (method == "DELETE") {
      TUTELA_ASSIGN_OR_RETURN(DeleteResult result, store.DeleteObject(caller, bucket, key, version_id, bypass));
      if (result.delete_marker) res.set_header("x-amz-delete-marker", "true");
      if (!result.version_id.empty()) res.set_header("x-amz-version-id", result.version_id);
      res.status = 204;
      return Status::Ok();
    }
    if (method == "GET" || method == "HEAD") return GetObject(req, res, bucket, key, version_id);
    return S3Err("MethodNotAllowed", "the method is not allowed against this object.");
  }

  // A non-negative integer query parameter, `fallback` when absent; InvalidArgument otherwise.
  static Result<int> IntParam(const httplib::Request& req, const std::string& name, int fallback) {
    if (!req.has_param(name)) return fallback;
    std::string text = req.get_param_value(name);
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
      return S3Err("InvalidArgument", name + " must be a non-negative integer.");
    }
    return std::stoi(text);
  }

  Status UploadPartCopy(const httplib::Request& req, httplib::Response& res, const std::string& bucket,
                        const std::string& key, const std::string& upload_id, int part_number) {
    TUTELA_ASSIGN_OR_RETURN(CopySource source, ParseCopySource(req));
    if (req.has_header("x-amz-copy-source-range")) {
      std::string range = req.get_header_value("x-amz-copy-source-range");
      size_t dash = range.find('-');
      std::string first = range.starts_with("bytes=") && dash != std::string::npos ? range.substr(6, dash - 6) : "";
      std::string last = dash != std::string::npos ? range.substr(dash + 1) : "";
      auto digits = [](const std::string& text) {
        return !text.empty() && text.size() < 19 && text.find_first_not_of("0123456789") == std::string::npos;
      };
      if (!digits(first) || !digits(last)) {
        return S3Err("InvalidArgument", "x-amz-copy-source-range must be bytes=first-last.");
      }
      source.range = std::make_pair(std::stoull(first), std::stoull(last));
    }
    TUTELA_ASSIGN_OR_RETURN(PartInfo part, store.UploadPartCopy(bucket, key, upload_id, part_number, source));
    SendXml(res, "<CopyPartResult xmlns=\"" + std::string(kXmlns) + "\">" +
                     Tag("LastModified", IsoTime(part.last_modified)) + Tag("ETag", "\"" + part.etag + "\"") +
                     "</CopyPartResult>");
    return Status::Ok();
  }

  static bool HasChecksumHeader(const httplib::Request& req) {
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower.starts_with("x-amz-checksum-") && lower != "x-amz-checksum-algorithm") return true;
      if (lower == "x-amz-trailer" && value.starts_with("x-amz-checksum-")) return true;
    }
    return false;
  }

  // The object-lock headers (and Content-Type) of a PutObject or CreateMultipartUpload request.
  static Result<PutObjectRequest> LockRequest(const httplib::Request& req, const std::string& bucket,
                                              const std::string& key) {
    PutObjectRequest request;
    request.bucket = bucket;
    request.key = key;
    if (req.has_header("Content-Type")) request.content_type = req.get_header_value("Content-Type");
    if (req.has_header("x-amz-object-lock-mode")) request.lock_mode = req.get_header_value("x-amz-object-lock-mode");
    if (req.has_header("x-amz-object-lock-retain-until-date")) {
      auto until = ParseRfc3339(req.get_header_value("x-amz-object-lock-retain-until-date"));
      if (!until.ok()) return S3Err("InvalidArgument", "x-amz-object-lock-retain-until-date is not ISO 8601.");
      request.retain_until = *until;
    }
    if (req.has_header("x-amz-object-lock-legal-hold")) {
      std::string hold = req.get_header_value("x-amz-object-lock-legal-hold");
      if (hold != "ON" && hold != "OFF") {
        return S3Err("InvalidArgument", "x-amz-object-lock-legal-hold must be ON or OFF.");
      }
      request.legal_hold = hold == "ON";
    }
    return request;
  }

  Status PutObject(const Caller& caller, const httplib::Request& req, httplib::Response& res, const std::string& bucket,
                   const std::string& key, const AuthResult& auth) {
    const std::string& body = auth.body;
    PutObjectRequest request;
    request.bucket = bucket;
    request.key = key;
    std::string copied;
    if (req.has_header("x-amz-copy-source")) {
      TUTELA_ASSIGN_OR_RETURN(CopySource source, ParseCopySource(req));
      TUTELA_ASSIGN_OR_RETURN(ObjectVersion from, store.HeadObject(source.bucket, source.key, source.version_id));
      TUTELA_ASSIGN_OR_RETURN(copied, store.ReadObject(from));
      request.data = copied;
      request.content_type = from.content_type;
    } else {
      request.data = body;
      if (req.has_header("Content-Type")) request.content_type = req.get_header_value("Content-Type");
    }
    if (req.has_header("Content-MD5")) request.content_md5 = ContentMd5(req);
    request.checksum_header = HasChecksumHeader(req);
    // A copy's checksums describe the source; S3 computes new ones, so only an upload's are checked.
    if (!req.has_header("x-amz-copy-source")) {
      request.checksums = RequestChecksums(req, auth);
      request.sha256_hex = auth.body_sha256;  // verified against the signed payload hash
    }
    TUTELA_ASSIGN_OR_RETURN(PutObjectRequest lock, LockRequest(req, bucket, key));
    request.lock_mode = lock.lock_mode;
    request.retain_until = lock.retain_until;
    request.legal_hold = lock.legal_hold;
    TUTELA_ASSIGN_OR_RETURN(ObjectVersion version, store.PutObject(caller, request));
    res.set_header("ETag", "\"" + version.etag + "\"");
    if (version.version_id != "null") res.set_header("x-amz-version-id", version.version_id);
    if (req.has_header("x-amz-copy-source")) {
      SendXml(res, "<CopyObjectResult>" + Tag("LastModified", IsoTime(version.last_modified)) +
                       Tag("ETag", "\"" + version.etag + "\"") + "</CopyObjectResult>");
    } else {
      res.status = 200;
    }
    return Status::Ok();
  }

  Status GetObject(const httplib::Request& req, httplib::Response& res, const std::string& bucket,
                   const std::string& key, const std::string& version_id) {
    auto head = store.HeadObject(bucket, key, version_id);
    if (!head.ok()) {
      // A delete marker as the newest version: 404 with x-amz-delete-marker.
      auto latest = store.ListVersions(bucket, {key, 1, false, ""});
      if (version_id.empty() && latest.ok() && !latest->empty() && (*latest)[0].key == key &&
          (*latest)[0].delete_marker) {
        res.set_header("x-amz-delete-marker", "true");
        res.set_header("x-amz-version-id", (*latest)[0].version_id);
      }
      return head.status();
    }
    const ObjectVersion& v = *head;
    if (v.delete_marker) {
      res.set_header("x-amz-delete-marker", "true");
      return S3Err("MethodNotAllowed", "the specified version is a delete marker.");
    }
    std::string etag = "\"" + v.etag + "\"";
    res.set_header("ETag", etag);
    res.set_header("Last-Modified", HttpDate(v.last_modified));
    res.set_header("Accept-Ranges", "bytes");
    if (v.version_id != "null") res.set_header("x-amz-version-id", v.version_id);
    SetLockHeaders(res, v);
    Preconditions conditions;
    auto header = [&](const char* name) {
      return req.has_header(name) ? std::optional<std::string>(req.get_header_value(name)) : std::nullopt;
    };
    conditions.if_match = header("If-Match");
    conditions.if_none_match = header("If-None-Match");
    conditions.if_modified_since = header("If-Modified-Since");
    conditions.if_unmodified_since = header("If-Unmodified-Since");
    TUTELA_RETURN_IF_ERROR(CheckPreconditions(conditions, etag, v.last_modified));
    uint64_t begin = 0;
    uint64_t end = v.size;  // exclusive
    bool ranged = false;
    if (req.has_header("Range")) {
      std::string range = req.get_header_value("Range");
      if (!range.starts_with("bytes=") || range.find(',') != std::string::npos) {
        return S3Err("InvalidRange", "only a single bytes= range is supported.");
      }
      std::string spec = range.substr(6);
      size_t dash = spec.find('-');
      if (dash == std::string::npos) return S3Err("InvalidRange", "the range is malformed.");
      std::string first = spec.substr(0, dash);
      std::string last = spec.substr(dash + 1);
      if (first.empty()) {
        uint64_t suffix = std::stoull(last.empty() ? "0" : last);
        begin = suffix >= v.size ? 0 : v.size - suffix;
      } else {
        begin = std::stoull(first);
        if (!last.empty()) end = std::min<uint64_t>(v.size, std::stoull(last) + 1);
      }
      if (begin >= v.size || begin >= end) return S3Err("InvalidRange", "The requested range is not satisfiable.");
      ranged = true;
    }
    // x-amz-checksum-mode: ENABLED asks for the object's checksum. Every version keeps the SHA-256 of its whole data
    // (checked again by `vault verify`), so a whole-object read gets it as x-amz-checksum-sha256 whatever checksum the
    // upload carried, as S3 now gives every object a full-object checksum; a ranged read gets none, as from S3 (the
    // range's bytes are not the object's).
    if (!ranged && v.sha256_hex.size() == 64) {
      std::optional<std::string> mode = header("x-amz-checksum-mode");
      std::string upper = mode.value_or("");
      std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
      auto digest = FromHex(v.sha256_hex);
      if (upper == "ENABLED" && digest.ok()) {
        res.set_header("x-amz-checksum-sha256", Base64Encode(*digest));
        res.set_header("x-amz-checksum-type", "FULL_OBJECT");
      }
    }
    std::string content_type = v.content_type.empty() ? "binary/octet-stream" : v.content_type;
    if (req.method == "HEAD") {
      res.status = ranged ? 206 : 200;
      res.set_header("Content-Length", std::to_string(end - begin));
      res.set_header("Content-Type", content_type);
      return Status::Ok();
    }
    if (end - begin > kWholeReadBytes) {
      // Large: sent in pieces straight from the file.
      TUTELA_ASSIGN_OR_RETURN(std::unique_ptr<ObjectReader> opened, store.OpenObject(v));
      std::shared_ptr<const ObjectReader> reader = std::move(opened);
      res.status = ranged ? 206 : 200;
      if (ranged) {
        res.set_header("Content-Range",
                       "bytes " + std::to_string(begin) + "-" + std::to_string(end - 1) + "/" + std::to_string(v.size));
      }
      res.set_content_provider(end - begin, content_type,
                               [reader, begin](size_t offset, size_t length, httplib::DataSink& sink) {
                                 auto piece = reader->Read(begin + offset, std::min<size_t>(length, kWholeReadBytes));
                                 if (!piece.ok() || piece->empty()) return false;
                                 return sink.write(piece->data(), piece->size());
                               });
      return Status::Ok();
    }
    TUTELA_ASSIGN_OR_RETURN(std::string data, store.ReadObject(v));
    if (ranged) {
      res.status = 206;
      res.set_header("Content-Range",
                     "bytes " + std::to_string(begin) + "-" + std::to_string(end - 1) + "/" + std::to_string(v.size));
      res.set_content(data.substr(begin, end - begin), content_type);
    } else {
      res.status = 200;
      res.set_content(std::move(data), content_type);
    }
    return Status::Ok();
  }
};

S3Server::S3Server(Store& store, ServerOptions options) : impl_(std::make_unique<Impl>(store, std::move(options))) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { impl_->Handle(req, res); };
  impl_->server.Get(".*", handler);
  impl_->server.Put(".*", [this](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) { impl_->HandlePut(req, res, reader); });
  impl_->server.Post(".*", handler);
  impl_->server.Delete(".*", handler);
  impl_->server.set_payload_max_length(impl_->options.max_object_bytes);
  impl_->server.set_keep_alive_max_count(1000);
  impl_->server.set_tcp_nodelay(true);  // small responses must not wait for delayed ACKs (40 ms each)
  // Each keep-alive connection holds a worker while open; size the pool for many concurrent clients.
  impl_->server.new_task_queue = [] { return new httplib::ThreadPool(64); };
}

S3Server::~S3Server() = default;

Status S3Server::Bind() {
  if (impl_->options.port == 0) {
    impl_->port = impl_->server.bind_to_any_port(impl_->options.host);
    if (impl_->port <= 0) return Status::IoError("cannot listen on " + impl_->options.host + " (any port).");
  } else {
    if (!impl_->server.bind_to_port(impl_->options.host, impl_->options.port)) {
      return Status::IoError("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                             "; is another server using the port?");
    }
    impl_->port = impl_->options.port;
  }
  return Status::Ok();
}

int S3Server::port() const { return impl_->port; }

Status S3Server::Run() {
  if (!impl_->server.listen_after_bind()) return Status::IoError("the S3 server stopped with a socket error.");
  return Status::Ok();
}

void S3Server::Stop() { impl_->server.stop(); }

}  // namespace tutela::vault
