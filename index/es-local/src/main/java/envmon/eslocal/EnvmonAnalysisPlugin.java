package envmon.eslocal;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.util.Map;

/**
 * Minimal stand-in for the parts of Elasticsearch's {@code analysis-common}
 * module that envmon uses. That module is not published on Maven Central for
 * 8.x, so we register the same names, backed by the same Lucene classes:
 *
 * <ul>
 *   <li>tokenizer {@code whitespace} (setting {@code max_token_length}, default 255)</li>
 *   <li>token filter {@code lowercase} (no {@code language} variants)</li>
 *   <li>token filter {@code asciifolding} (setting {@code preserve_original}, default false)</li>
 * </ul>
 *
 * Both filters are normalizing, so they also work inside {@code normalizer}s
 * for keyword fields and for wildcard/prefix/fuzzy query terms.
 */
public class EnvmonAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("whitespace", WhitespaceTokenizerFactory::new);
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "lowercase", LowerCaseTokenFilterFactory::new,
            "asciifolding", AsciiFoldingTokenFilterFactory::new
        );
    }

    static final class WhitespaceTokenizerFactory extends AbstractTokenizerFactory {
        private final int maxTokenLength;

        WhitespaceTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            this.maxTokenLength = settings.getAsInt("max_token_length", 255);
            if (maxTokenLength < 1 || maxTokenLength > 1024 * 1024) {
                throw new IllegalArgumentException("[max_token_length] must be in [1, 1048576] but was " + maxTokenLength);
            }
        }

        @Override
        public Tokenizer create() {
            return new WhitespaceTokenizer(WhitespaceTokenizer.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, maxTokenLength);
        }
    }

    static final class LowerCaseTokenFilterFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        LowerCaseTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            String language = settings.get("language");
            if (language != null) {
                throw new IllegalArgumentException(
                    "lowercase filter [language] is not supported on this local node (analysis-common is not available)");
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new LowerCaseFilter(tokenStream);
        }
    }

    static final class AsciiFoldingTokenFilterFactory extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        private final boolean preserveOriginal;

        AsciiFoldingTokenFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
        }

        @Override
        public TokenStream normalize(TokenStream tokenStream) {
            // A normalizer must produce exactly one token: never keep the original.
            return new ASCIIFoldingFilter(tokenStream, false);
        }
    }
}
