"""Every Scrapy default envmon relies on, named and explained in one place.

A settings dict handed to Scrapy starts from the bare library defaults (robots.txt ignored,
telnet console open, eight requests per domain), so nothing here is left implicit. The
`[crawl]` table of sources.toml may override the few knobs listed in crawlers.sources.CrawlOptions;
tests and the benchmark override more through crawlers.runner.
"""

from __future__ import annotations

BOT_NAME = "envmon"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# ---- identity and manners ---------------------------------------------------------
# An honest User-Agent naming the project and where to complain (DESIGN.md principle 6).
USER_AGENT = "envmon/0.1 (+https://github.com/envmon/envmon)"
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "envmon"
# Cookies are never needed for public pages and would let sites track the crawler.
COOKIES_ENABLED = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml;q=0.9,*/*;q=0.5",
    "Accept-Language": "vi,en;q=0.5",
}

# ---- politeness ----------------------------------------------------------------------
# At most two requests in flight per site, never faster than one every DOWNLOAD_DELAY seconds
# (jittered), and AutoThrottle slows further down when the site answers slowly.
CONCURRENT_REQUESTS = 8
# Items processed in parallel per response. An article page yields one item and Scrapy starts
# this many workers for every response, so the library default (100) only costs task churn.
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
# The lowest delay a sources.toml may ask for on a public site; loopback test sites may go lower.
MIN_DOWNLOAD_DELAY = 0.5
# Each wait is DOWNLOAD_DELAY × a random factor in [1 - jitter, 1 + jitter]: less robotic.
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# ---- retries with backoff ------------------------------------------------------------
# 429 and 5xx are the site asking us to slow down or having a bad moment: wait, then retry.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Network failures worth a second try. Not DNS failures: a name that does not resolve now will
# not resolve a few seconds later, and retrying it only delays the report of an unreachable source.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
]
# Wait RETRY_BACKOFF_BASE * 2**attempt seconds (or the site's Retry-After), capped.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0

# ---- limits: crawled content is hostile input ---------------------------------------
# A news page is well under 2 MB; 4 MB leaves room for inline scripts and stops dumps,
# generated junk and decompression bombs (HttpCompressionMiddleware applies it after gunzip).
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
# A meta refresh is how some outlets forward to a mobile page; follow it like a redirect.
METAREFRESH_ENABLED = True
METAREFRESH_MAXDELAY = 5
# URLs longer than this are session junk or traps.
URLLENGTH_LIMIT = 2083
# Only ordinary web pages: no local files, FTP, S3 or data: URLs from a hostile feed.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

# ---- envmon components ----------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Refuse private/loopback/link-local targets before anything (even robots.txt) is fetched.
    "crawlers.middlewares.guard.NetworkGuardMiddleware": 75,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.charset.CharsetMiddleware": 585,  # after decompression (590)
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawlers.middlewares.redirect.LoopAwareRedirectMiddleware": 600,
    "crawlers.middlewares.conditional.ConditionalGetMiddleware": 650,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.NormalisePipeline": 100,
    "crawlers.pipelines.DeduplicatePipeline": 200,
    "crawlers.pipelines.SpoolWriterPipeline": 300,
}
# The guarded resolver refuses private addresses again at connect time (no DNS-rebinding gap).
TWISTED_DNS_RESOLVER = "crawlers.netguard.GuardedResolver"
DNSCACHE_ENABLED = True
# Set from ENVMON_ALLOW_PRIVATE_NETWORKS by the runner; only tests and the demo turn it on.
ENVMON_ALLOW_PRIVATE_NETWORKS = False
# Hosts-file style overrides {"name": "ip"} from the [crawl] table (staging sites, tests).
ENVMON_RESOLVE: dict[str, str] = {}

# Article extraction (the expensive step) runs in this many worker processes, overlapping
# with downloads; 0 extracts inside the crawl process.
EXTRACTION_PROCESSES = 1

# ---- process hygiene ------------------------------------------------------------------
# Neither the telnet console nor the remote-control HTTP endpoint: a crawl opens no ports.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# A hanging source must not stall the crawl; the runner also kills the process a bit later.
CLOSESPIDER_TIMEOUT = 600
LOG_LEVEL = "WARNING"  # our own per-source lines are INFO; Scrapy's per-request lines are noise
LOG_INSTALL_ROOT_HANDLER = False  # index.logs owns logging
# Dropped items are routine (unchanged pages); never dump their text into the log.
LOG_FORMATTER = "crawlers.logformatter.QuietLogFormatter"
STATS_DUMP = False
LOGSTATS_INTERVAL = 0
MEMUSAGE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
