// Interrupt: SIGINT/SIGTERM turned into a flag the runner polls, so it can stop its children in order (the
// generator, then the server) and leave a consistent results folder instead of dying mid-write.
#pragma once

namespace rtb {

// Installs the handlers (idempotent). A second signal of either kind exits at once with 128 + signal: the
// children still end, through PR_SET_PDEATHSIG.
void install_interrupt_handlers();
// 0 while no signal arrived, else the first signal's number.
int interrupt_signal();

}  // namespace rtb
