import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;

/**
 * Vigil's local Neo4j 5 Community server for tests and CI: the embedded DBMS from Maven Central
 * jars with the Bolt connector on, HTTP off and authentication on. Started by scripts/neo4j/neo4j.sh.
 *
 * <pre>
 * java [jvm flags] -cp classes:lib/* VigilNeo4j HOME_DIR [PORT]
 * </pre>
 *
 * HOME_DIR holds data/ and logs/ and is created if missing. PORT defaults to NEO4J_BOLT_PORT or
 * 7687; the listen host to NEO4J_BOLT_HOST or 127.0.0.1. The password of user "neo4j" comes from
 * NEO4J_PASSWORD (default "vigil-neo4j", at least 8 characters) and is applied on every start, so
 * changing it only needs a restart. VIGIL_NEO4J_PAGECACHE sets the page cache (default 256m).
 *
 * Prints "neo4j ready bolt://HOST:PORT" once a Bolt handshake succeeds, and stops the DBMS
 * cleanly on SIGTERM/SIGINT. Exit status 1 on any startup failure.
 */
public final class VigilNeo4j {
    private static final String USER = "neo4j";

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
            System.err.println("usage: VigilNeo4j HOME_DIR [PORT]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        int port = Integer.parseInt(args.length > 1 ? args[1] : env("NEO4J_BOLT_PORT", "7687"));
        String host = env("NEO4J_BOLT_HOST", "127.0.0.1");
        String password = env("NEO4J_PASSWORD", "vigil-neo4j");
        String pageCache = env("VIGIL_NEO4J_PAGECACHE", "256m");
        if (password.length() < 8) {
            fail("NEO4J_PASSWORD must have at least 8 characters (Neo4j 5 rule)", null);
        }
        Files.createDirectories(home);

        DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(BoltConnector.thread_pool_max_size, 64)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, bytes(pageCache))
                    .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, bytes("256m"))
                    // Test data is small and disposable: keep transaction logs from eating the disk.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, bytes("32m"))
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "64M size")
                    .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                    // Internal knobs (may move between releases): Bolt otherwise waits 2 x 5 s on stop.
                    .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                    .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                    .build();
        } catch (Throwable e) {
            fail("the DBMS failed to start (is port " + port + " in use? see logs/debug.log)", e);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
                System.out.println("neo4j stopped");
            } catch (Throwable e) {
                System.err.println("neo4j shutdown failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "vigil-neo4j-shutdown"));

        try {
            applyPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);
            awaitBolt(host, port, Duration.ofSeconds(60));
        } catch (Throwable e) {
            fail("startup failed after the DBMS came up", e);
        }
        System.out.println("neo4j ready bolt://" + host + ":" + port + " (home " + home + ")");
        System.out.flush();
        stopped.await();
    }

    /**
     * Sets the neo4j user's password through the system database (Community supports user
     * management there). Idempotent: Neo4j refuses to "change" a password to the one it already
     * has, which we take as confirmation that it is already right.
     */
    private static void applyPassword(GraphDatabaseService system, String password) {
        Map<String, Object> params = Map.of("user", USER, "password", password);
        long users = (long) system.executeTransactionally(
                "SHOW USERS YIELD user WHERE user = $user RETURN count(*) AS n", params,
                r -> r.hasNext() ? r.next().get("n") : 0L);
        if (users == 0) {
            system.executeTransactionally(
                    "CREATE USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED", params);
            System.out.println("neo4j user created");
            return;
        }
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED", params);
            System.out.println("neo4j password set");
        } catch (QueryExecutionException e) {
            String msg = String.valueOf(e.getMessage()).toLowerCase();
            if (!msg.contains("cannot be the same")) {
                throw e;
            }
            // Same password: still make sure no change is pending (it never is after our ALTER).
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED", Map.of());
        }
    }

    /** Waits for the Bolt listener to answer a handshake proposing Bolt 5.0-5.8 and 4.4. */
    private static void awaitBolt(String host, int port, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                s.setSoTimeout(2000);
                ByteBuffer hello = ByteBuffer.allocate(20);
                hello.putInt(0x6060B017);
                hello.putInt(0x00080805); // 5.8 and 8 minors below
                hello.putInt(0x00000404); // 4.4
                hello.putInt(0).putInt(0);
                OutputStream out = s.getOutputStream();
                out.write(hello.array());
                out.flush();
                int agreed = new DataInputStream(s.getInputStream()).readInt();
                if (agreed != 0) {
                    return;
                }
                last = new IllegalStateException("Bolt handshake agreed on no version");
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Bolt did not answer on " + host + ":" + port, last);
    }

    private static long bytes(String size) {
        String s = size.trim().toLowerCase();
        long unit = 1;
        for (Map.Entry<String, Long> u : List.of(
                Map.entry("k", 1L << 10), Map.entry("m", 1L << 20), Map.entry("g", 1L << 30))) {
            if (s.endsWith(u.getKey())) {
                unit = u.getValue();
                s = s.substring(0, s.length() - 1);
            }
        }
        return Long.parseLong(s) * unit;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static void fail(String message, Throwable cause) {
        System.err.println("neo4j: " + message);
        if (cause != null) {
            cause.printStackTrace();
        }
        System.err.flush();
        System.exit(1);
    }
}
