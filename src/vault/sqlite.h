// A minimal RAII layer over the SQLite C API for the vault's metadata (private to src/vault).
// Thread-safety: a Db and its statements are used under the Store's mutex only.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tutela/core/status.h"

namespace tutela::vault {

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return stmt_ != nullptr; }
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, int64_t value);
  Stmt& BindNull(int index);
  // True when a row is available, false when done; errors are kept in status().
  bool Step();
  // Runs to completion; the error (naming the SQL) if it failed.
  Status Run();
  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool IsNull(int column) const;
  Status status() const { return status_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

Status Exec(sqlite3* db, std::string_view sql);

}  // namespace tutela::vault
