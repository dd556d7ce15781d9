// Long work (an assessment of a big plan, a scan) runs as a job: the request that starts it returns at once with
// the job's id, and the job's record (kind "job": state queued → running → done | failed, progress 0–100, message,
// result) is what a client polls. Jobs run on a few worker threads inside the server process; a job still queued or
// running when the process stopped is marked failed at the next start ("the server stopped before it finished").
//
// Thread-safety: Submit() and the progress callback may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tutela/core/status.h"
#include "tutela/server/store.h"

namespace tutela::server {

// Reports progress (0–100) and a short message; the job's record is updated at most about once a second.
using Progress = std::function<void(int percent, std::string_view message)>;
// The work: returns the job's result document (stored in the record's body as "result") or an error whose message
// becomes the job's message.
using JobWork = std::function<Result<nlohmann::json>(TenantData& data, const nlohmann::json& input, const Progress&)>;

class Jobs {
 public:
  Jobs(Store& store, size_t threads);
  ~Jobs();  // waits for running jobs; queued ones stay queued (and are failed at the next start)

  // Known kinds of work, registered before Start().
  void Register(std::string kind, JobWork work);
  void Start();
  void Stop();

  // Queues a job of a registered kind for the tenant; returns its record (state "queued"). `prepare`, when given,
  // runs with the job's id after its record exists and before any worker can start it (e.g. to store the id in the
  // record the job will update); its error cancels the job.
  Result<Record> Submit(TenantData& data, std::string_view kind, nlohmann::json input,
                        const std::function<Status(const std::string& job_id)>& prepare = {});
  // Marks every queued or running job of every tenant failed; called once at start, before Start().
  Status FailUnfinished();
  // Waits until no job is queued or running (tests, demo preparation).
  void Drain();

 private:
  struct Item {
    std::string tenant;
    std::string id;
    std::string kind;
    nlohmann::json input;
  };
  void Worker();
  void RunOne(const Item& item);

  Store& store_;
  size_t threads_;
  std::map<std::string, JobWork, std::less<>> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Item> queue_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace tutela::server
