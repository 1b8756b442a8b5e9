package envmon.eslocal;

import org.elasticsearch.Build;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.EnvmonLocalNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts one real Elasticsearch node (server jar + Netty4 HTTP/transport from
 * Maven Central) in this JVM, for envmon development, tests and CI.
 *
 * <p>Environment variables:
 * <ul>
 *   <li>{@code ES_HOME_DIR}: node home (config/, data/, logs/); default {@code ./.envmon/es}</li>
 *   <li>{@code ES_PORT}: HTTP port, default 9200</li>
 *   <li>{@code ES_HOST}: bind/publish host, default 127.0.0.1</li>
 *   <li>{@code ES_TRANSPORT_PORT}: transport port or range, default 9300-9399</li>
 *   <li>{@code ES_CLUSTER_NAME}: default envmon-local</li>
 * </ul>
 * Extra node settings may be put in {@code $ES_HOME_DIR/config/elasticsearch.yml};
 * settings given here win over that file.
 *
 * <p>The node is a plain {@link Node} built by {@link EnvmonLocalNode}, which
 * hands it plugins that live on the classpath (Netty4 and
 * {@link EnvmonAnalysisPlugin}); there is no bootstrap (no security manager,
 * no bootstrap checks, no root refusal) and no test double.
 */
public final class EsLocal {

    private EsLocal() {}

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable t) {
            t.printStackTrace();
            System.err.println("envmon es-local: startup failed: " + t);
            System.err.flush();
            System.exit(1); // runs the shutdown hook (closes a half-started node)
        }
    }

    private static void run() throws Exception {
        final long t0 = System.nanoTime();
        final Path home = Path.of(env("ES_HOME_DIR", ".envmon/es")).toAbsolutePath().normalize();
        final Path config = home.resolve("config");
        final Path data = home.resolve("data");
        final Path logs = home.resolve("logs");
        Files.createDirectories(config);
        Files.createDirectories(data);
        Files.createDirectories(logs);
        Files.createDirectories(home.resolve("plugins"));
        Files.createDirectories(home.resolve("modules"));
        writeLog4jConfigIfMissing(config.resolve("log4j2.properties"));

        final String clusterName = env("ES_CLUSTER_NAME", "envmon-local");
        final String nodeName = clusterName + "-node";
        final Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", data.toString())
            .put("path.logs", logs.toString())
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("discovery.type", "single-node")
            .put("network.host", env("ES_HOST", "127.0.0.1"))
            .put("http.port", env("ES_PORT", "9200"))
            .put("transport.port", env("ES_TRANSPORT_PORT", "9300-9399"))
            // A dev/CI node on a shared disk: never flip indices to read-only
            // because some other tenant filled the disk.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();

        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        // Same environment preparation the node itself performs (reads config/elasticsearch.yml).
        final Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), config, () -> nodeName);
        LogConfigurator.configure(environment, true);

        final List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, EnvmonAnalysisPlugin.class, RootInfoPlugin.class);
        final Node node = new EnvmonLocalNode(environment, plugins);

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                System.out.println("envmon es-local: shutting down");
                node.prepareForClose();
                node.close();
                if (node.awaitClose(20, TimeUnit.SECONDS) == false) {
                    System.out.println("envmon es-local: node did not close within 20s");
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "envmon-es-shutdown"));

        node.start();
        System.out.printf("envmon es-local: elasticsearch %s started in %.1fs (home %s)%n",
            Build.current().version(), (System.nanoTime() - t0) / 1e9, home);
        System.out.flush();
        // Node threads are daemon-ish; keep the JVM alive until a signal arrives.
        stopped.await();
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return (v == null || v.isBlank()) ? def : v;
    }

    private static void writeLog4jConfigIfMissing(Path target) throws Exception {
        if (Files.exists(target)) {
            return;
        }
        try (InputStream in = EsLocal.class.getResourceAsStream("log4j2.properties")) {
            if (in == null) {
                throw new IllegalStateException("log4j2.properties resource missing from es-local jar");
            }
            Files.copy(in, target);
        }
    }
}
