// A fixed-size pool of worker threads running submitted tasks in FIFO order.
//
// Owns its threads: the destructor finishes every queued task, then joins. Submit() returns a std::future that
// carries the task's result or its exception. Tasks must not block waiting on other tasks of the same pool when all
// workers may be busy (that deadlocks); use Wait() from outside the pool instead.
// Thread-safety: Submit() and Wait() may be called from any thread, including from inside a task (Submit only).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace tutela {

class ThreadPool {
 public:
  // `threads` == 0 means one per hardware thread (at least one).
  explicit ThreadPool(size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }

  template <typename F>
  auto Submit(F&& task) -> std::future<std::invoke_result_t<std::decay_t<F>>> {
    using R = std::invoke_result_t<std::decay_t<F>>;
    auto packaged = std::make_shared<std::packaged_task<R()>>(std::forward<F>(task));
    std::future<R> future = packaged->get_future();
    Enqueue([packaged] { (*packaged)(); });
    return future;
  }

  // Blocks until the queue is empty and no task is running.
  void Wait();

  // Number of hardware threads, at least 1.
  static size_t HardwareThreads();

 private:
  void Enqueue(std::function<void()> job);
  void WorkerLoop();

  std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace tutela
