"""Scrapy settings for haopin. Project settings carry the HAOPIN_ prefix.

`haopin crawl` adds the per-run ones (HAOPIN_PLATFORM, HAOPIN_BASE_URL,
HAOPIN_ALLOWED_HOSTS, HAOPIN_KEYWORDS, HAOPIN_OUTPUT, …) for each platform's crawler.
"""

BOT_NAME = "haopin"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# Polite by default: a county bureau must not look like an attack on a platform.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
USER_AGENT = "haopin/0.1 (+regional brand protection; contact the county market-supervision bureau)"
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control runs Python sent over HTTP: never in a bureau's crawler.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Only http and https: a hostile page must not make us read file:// or talk to s3/ftp.
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None, "data": None}

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PlatformHostsMiddleware": 40,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.BlockedPageMiddleware": 560,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.CrawlAccountingMiddleware": 45,
}

# Pipelines run in this order. Matching and storage slot in between images and
# the writer, e.g. "crawler.pipelines.ScanPipeline": 500 and a case-store pipeline at 600,
# so they see listings whose images are already local.
ITEM_PIPELINES = {
    "crawler.pipelines.ValidateListingPipeline": 100,
    "crawler.pipelines.DedupeListingPipeline": 200,
    "crawler.pipelines.ImageStorePipeline": 300,
    "crawler.pipelines.JsonLinesWriterPipeline": 900,
}

# With `haopin crawl --db`: listings per database transaction, and the longest a listing waits for one.
HAOPIN_DB_BATCH_SIZE = 100
HAOPIN_DB_LINGER = 2.0
HAOPIN_MAX_RETRY_AFTER = 60.0
HAOPIN_BACKOFF_RETRIES = 8
HAOPIN_MAX_PAGES = 20
HAOPIN_IMAGES_ENABLED = True
HAOPIN_IMAGES_MAXSIZE = 5 * 1024 * 1024
HAOPIN_IMAGES_PER_LISTING = 6

# The JavaScript platforms (render: true) get these on top of the above.
PLAYWRIGHT_SETTINGS = {
    "DOWNLOAD_HANDLERS": {
        "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        "file": None,
        "s3": None,
        "ftp": None,
        "data": None,
    },
    "PLAYWRIGHT_BROWSER_TYPE": "chromium",
    "PLAYWRIGHT_LAUNCH_OPTIONS": {
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    },
    "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
    "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
    # The image pipeline fetches product images itself (bounded, stored); the browser need not.
    "PLAYWRIGHT_ABORT_REQUEST": "crawler.middlewares.skip_browser_media",
    # A page whose script never finished rendering is worth another attempt, like a time-out.
    "RETRY_EXCEPTIONS": [
        "scrapy.exceptions.CannotResolveHostError",
        "scrapy.exceptions.DownloadConnectionRefusedError",
        "scrapy.exceptions.DownloadFailedError",
        "scrapy.exceptions.DownloadTimeoutError",
        "scrapy.exceptions.ResponseDataLossError",
        "twisted.internet.error.ConnectionDone",
        "twisted.internet.error.ConnectError",
        "twisted.internet.error.ConnectionLost",
        "builtins.OSError",
        "playwright.async_api.TimeoutError",
    ],
}
