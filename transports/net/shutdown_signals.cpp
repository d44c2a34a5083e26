#include "transports/net/shutdown_signals.hpp"

#include <csignal>

namespace rtb {

ShutdownSignals::ShutdownSignals(Loop& loop, std::function<void()> graceful)
    : loop_(loop), graceful_(std::move(graceful)) {
  for (auto* h : {&interrupt_, &terminate_}) {
    uv_signal_init(loop.get(), h->get());
    h->set_initialised();
    (*h)->data = this;
  }
  uv_signal_start(interrupt_.get(), &ShutdownSignals::on_signal, SIGINT);
  uv_signal_start(terminate_.get(), &ShutdownSignals::on_signal, SIGTERM);
}

void ShutdownSignals::on_signal(uv_signal_t* handle, int) {
  auto* self = static_cast<ShutdownSignals*>(handle->data);
  if (++self->received_ == 1) {
    // The signal handles must not keep the loop alive while the sessions drain.
    uv_unref(self->interrupt_.as_handle());
    uv_unref(self->terminate_.as_handle());
    self->graceful_();
  } else {
    self->loop_.stop();
  }
}

}  // namespace rtb
