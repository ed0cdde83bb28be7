// Runs a core function on the libuv thread pool and settles a Promise with its converted result.
#pragma once

#include "convert.h"

#include <functional>
#include <utility>

namespace sysprobe::binding {

template <class T>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<core::Result<T>()>;
  // May take the result by non-const reference to move it into the JS value (see elf_binding.cc).
  using Convert = std::function<Napi::Value(Napi::Env, T&)>;

  // `work` runs on the thread pool and must not touch JS; `convert` runs on the JS thread.
  static Napi::Promise Start(Napi::Env env, Work work, Convert convert) {
    auto* worker = new PromiseWorker(env, std::move(work), convert);
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 protected:
  void Execute() override { result_.emplace(work_()); }

  void OnOK() override {
    Napi::Env env = Env();
    if (result_->ok()) {
      deferred_.Resolve(convert_(env, result_->value()));
    } else {
      deferred_.Reject(MakeError(env, result_->error()).Value());
    }
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  PromiseWorker(Napi::Env env, Work work, Convert convert)
      : Napi::AsyncWorker(env, "sysprobe"),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)),
        convert_(std::move(convert)) {}

  Napi::Promise::Deferred deferred_;
  Work work_;
  Convert convert_;
  std::optional<core::Result<T>> result_;
};

}  // namespace sysprobe::binding
