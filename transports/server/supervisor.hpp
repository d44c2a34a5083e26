// The supervisor of `rtbench serve --workers N`: N worker processes, each a whole server on its own loop,
// listening on one port with SO_REUSEPORT and sharing channels through the Redis broker. It forwards
// SIGINT/SIGTERM (graceful, then at once), restarts a worker that dies (logged, and counted in /stats), and
// gives up when a worker keeps dying right after it starts.
#pragma once

#include <cstddef>
#include <optional>

#include "transports/redis/redis_url.hpp"
#include "transports/server/server_config.hpp"

namespace rtb {

// `config.listen.host` is an address already. Exit status: 0 stopped by a signal, 1 a worker kept dying,
// 2 a worker could not start (its reason is printed).
int run_supervisor(ServerConfig config, const std::optional<RedisUrl>& broker, std::size_t workers);

}  // namespace rtb
