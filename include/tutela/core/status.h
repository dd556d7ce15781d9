// Status and Result<T>: Tutela's error type.
//
// Every fallible library call returns a Status (no value) or a Result<T> (a value or the Status that explains why
// there is none). Both are [[nodiscard]]. A Result never holds an OK status without a value: constructing one from an
// OK Status turns it into an Internal error, so callers can rely on `ok()` meaning "value present".
//
// Messages are written for the person who has to act on them: they name the subject (usually file:line:column or an
// id), the problem and the fix, as one sentence, e.g.
//   "catalog/frameworks/pci-dss-4.0.yaml:212:5: requirement \"3.5.1\" maps to unknown control \"CRY-99\"; add the
//    control to catalog/controls/ or correct the id."
// They never contain raw PII values or key material.
//
// Thread-safety: Status and Result are values; distinct objects may be used from different threads freely.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace tutela {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong: a flag, a file's content, a value out of range
  kNotFound,          // a named thing (file, id, key) does not exist
  kAlreadyExists,     // creating something that is already there, and overwriting is refused
  kCorruption,        // stored data fails its own integrity checks
  kIoError,           // the operating system refused a read, write, rename, ...
  kPermissionDenied,  // the caller may not do this (file modes, roles, object lock)
  kInternal,          // a bug in Tutela: an invariant broke
};

// A short, stable, lower-case name for a code ("invalid argument", "not found", ...).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) { return {StatusCode::kInvalidArgument, std::move(message)}; }
  static Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status AlreadyExists(std::string message) { return {StatusCode::kAlreadyExists, std::move(message)}; }
  static Status Corruption(std::string message) { return {StatusCode::kCorruption, std::move(message)}; }
  static Status IoError(std::string message) { return {StatusCode::kIoError, std::move(message)}; }
  static Status PermissionDenied(std::string message) { return {StatusCode::kPermissionDenied, std::move(message)}; }
  static Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The sentence that explains the problem; empty for OK.
  const std::string& message() const { return message_; }
  // "OK", or the message; Internal errors are prefixed with "internal error: " since they are Tutela's fault.
  std::string ToString() const;

  // Returns a copy whose message is "context: message" (OK stays OK). Use it to add the file or record a lower layer
  // did not know about, e.g. status.WithContext("examples/customers.csv").
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_ && a.message_ == b.message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, Status>, "Result<Status> is meaningless; return Status");

 public:
  // Holds a value.
  Result(const T& value) : state_(value) {}        // NOLINT(google-explicit-constructor)
  Result(T&& value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, Status> &&
           !std::is_same_v<std::remove_cvref_t<U>, Result<T>> && !std::is_same_v<std::remove_cvref_t<U>, T>)
      Result(U&& value)
      : state_(std::in_place_index<1>, std::forward<U>(value)) {}  // NOLINT
  // Holds an error. An OK status becomes an Internal error: a Result must carry a value or a reason.
  Result(Status status)  // NOLINT(google-explicit-constructor)
      : state_(status.ok() ? Status::Internal("a Result was built from an OK status without a value")
                           : std::move(status)) {}

  bool ok() const { return state_.index() == 1; }
  // OK when a value is present, otherwise the error.
  Status status() const { return ok() ? Status::Ok() : std::get<0>(state_); }

  // Access to the value; calling these on an error is a programming error and aborts.
  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

  // The value, or `fallback` on error.
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<1>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T& Checked() {
    if (!ok()) std::abort();  // programmer error: check ok() first
    return std::get<1>(state_);
  }

  std::variant<Status, T> state_;
};

}  // namespace tutela

#define TUTELA_STATUS_CONCAT_INNER_(a, b) a##b
#define TUTELA_STATUS_CONCAT_(a, b) TUTELA_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function with the error if `expr` (a Status) is not OK.
#define TUTELA_RETURN_IF_ERROR(expr)                         \
  do {                                                       \
    ::tutela::Status tutela_status_tmp_ = (expr);            \
    if (!tutela_status_tmp_.ok()) return tutela_status_tmp_; \
  } while (false)

// `TUTELA_ASSIGN_OR_RETURN(auto value, LoadThing());` — evaluates a Result, returns its error, or binds its value.
#define TUTELA_ASSIGN_OR_RETURN(lhs, expr) \
  TUTELA_ASSIGN_OR_RETURN_IMPL_(TUTELA_STATUS_CONCAT_(tutela_result_, __LINE__), lhs, expr)
#define TUTELA_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                  \
  if (!result.ok()) return result.status();              \
  lhs = std::move(result).value()
