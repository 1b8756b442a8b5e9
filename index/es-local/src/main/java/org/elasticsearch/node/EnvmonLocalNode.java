package org.elasticsearch.node;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;

import java.util.Collection;
import java.util.List;

/**
 * A plain {@link Node} whose plugins are classes on the classpath instead of
 * bundles under {@code modules/} and {@code plugins/}.
 *
 * <p>This class lives in Elasticsearch's own package because the hook that
 * chooses the plugin service ({@code NodeServiceProvider#newPluginService}) is
 * package-private. It does what the test framework's {@code MockNode} does,
 * minus the part of {@code MockNode}'s public constructor that initialises
 * {@code ESTestCase} (which installs the test bootstrap and refuses to run as
 * root) and minus every test double: transport, HTTP, search, big arrays and
 * scripts are the production implementations. Only {@code MockPluginsService}
 * (plain classpath plugin loading) comes from the test framework jar.
 */
public class EnvmonLocalNode extends Node {

    public EnvmonLocalNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
        super(NodeConstruction.prepareConstruction(environment, new ClasspathPluginsProvider(List.copyOf(classpathPlugins)), true));
    }

    private static final class ClasspathPluginsProvider extends NodeServiceProvider {
        private final List<Class<? extends Plugin>> classpathPlugins;

        ClasspathPluginsProvider(List<Class<? extends Plugin>> classpathPlugins) {
            this.classpathPlugins = classpathPlugins;
        }

        @Override
        PluginsService newPluginService(Environment environment, Settings settings) {
            return new MockPluginsService(settings, environment, classpathPlugins);
        }
    }
}
