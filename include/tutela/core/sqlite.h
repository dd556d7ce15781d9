// A minimal RAII layer over the SQLite C API: prepared statements, a per-connection statement cache, Exec.
// Used by the vault (metadata) and the server (its embedded database).
// Thread-safety: none; a connection and its statements are used by one thread at a time (the owner's mutex).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tutela/core/status.h"

namespace tutela::sqlite {

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return stmt_ != nullptr; }
  // Ready to run again: rewound, bindings and error cleared (ends the read transaction a stepped SELECT holds).
  void Reset();
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
  int Columns() const;  // columns of the current row
  Status status() const { return status_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

Status Exec(sqlite3* db, std::string_view sql);

// Statements prepared once and reused (preparing costs more than running a point query). One cache per connection,
// used under that connection's mutex; a Handle resets its statement when it goes out of scope, so no SELECT keeps
// a read transaction (and an old snapshot) open. Clear() before closing the connection.
class StmtCache {
 public:
  class Handle {
   public:
    explicit Handle(Stmt& stmt) : stmt_(stmt) {}
    ~Handle() { stmt_.Reset(); }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Stmt* operator->() const { return &stmt_; }
    Stmt& operator*() const { return stmt_; }

   private:
    Stmt& stmt_;
  };
  Handle Use(sqlite3* db, const std::string& sql);
  void Clear() { stmts_.clear(); }

 private:
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> stmts_;
};

}  // namespace tutela::sqlite
