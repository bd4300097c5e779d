package dev.umbra.cli;

import java.nio.file.Path;
import java.util.List;

/** The squid.conf lines every Squid the cli tests start has: its files under one directory, loopback only, no cache. */
final class LoopbackSquid {
    private LoopbackSquid() {
    }

    /**
     * Files named after {@code name} under {@code dir}, host names from {@code dir/hosts}, no disk or memory
     * cache to speak of, an immediate shutdown, and proxy users authenticated by any password (the user
     * name is what the tests look for).
     */
    static List<String> base(Path dir, String name) {
        return List.of(
                "pid_filename " + dir.resolve(name + ".pid"),
                "cache_log " + dir.resolve(name + "-cache.log"),
                "cache_store_log none",
                "netdb_filename none",
                "coredump_dir " + dir,
                "cache deny all",
                "cache_mem 8 MB",
                "hosts_file " + dir.resolve("hosts"),
                "dns_nameservers 127.0.0.1",
                "shutdown_lifetime 0 seconds",
                "auth_param basic program /usr/lib/squid/basic_fake_auth",
                "acl authed proxy_auth REQUIRED",
                "http_access deny !authed",
                "http_access allow authed");
    }
}
