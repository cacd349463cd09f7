"""What counts as a Vast.ai key: the one source of truth.

The fast engine (detect.py) and the detect-secrets plugins (plugins.py) are both built from
the patterns and word lists here; nothing else defines a Vast.ai pattern.

A bare 64-hex string is never enough (SHA-256 digests look the same): every pattern names the
context that says "Vast.ai" -- a Vast-named variable, the CLI, a Vast host, or a CLI key file.
Facts behind each pattern: shared/research/vast-facts.md (sections cited below).
"""
from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    id: str
    # detect-secrets `secret_type`: stable, since baselines key on it
    secret_type: str
    title: str


ASSIGNMENT = Rule(
    'vast-api-key',
    'Vast.ai API Key',
    'Vast.ai API key assigned to a Vast-named variable',
)
CLI = Rule(
    'vast-cli-api-key',
    'Vast.ai API Key (CLI argument)',
    'Vast.ai API key given to the vastai CLI',
)
URL = Rule(
    'vast-url-api-key',
    'Vast.ai API Key (URL)',
    'Vast.ai API key in the query string of a vast.ai URL',
)
HOST_CONTEXT = Rule(
    'vast-host-api-key',
    'Vast.ai API Key (request to a Vast.ai host)',
    'API key or Bearer token sent to a Vast.ai host or SDK',
)
KEY_FILE = Rule(
    'vast-key-file',
    'Vast.ai API Key (CLI key file)',
    'Vast.ai CLI key file committed with a key in it',
)
CONTAINER = Rule(
    'vast-container-api-key',
    'Vast.ai Per-Instance API Key',
    'Vast.ai per-instance key (CONTAINER_API_KEY)',
)
BASE64 = Rule(
    'vast-api-key-base64',
    'Vast.ai API Key (base64)',
    'base64-encoded Vast.ai API key under a Vast-named key',
)
NAMED_SECRET = Rule(
    'vast-named-secret',
    'Vast.ai Named Secret',
    'high-entropy secret assigned to a Vast-named secret variable',
)
ALL_RULES = (ASSIGNMENT, CLI, URL, HOST_CONTEXT, KEY_FILE, CONTAINER, BASE64, NAMED_SECRET)

# Account and per-instance keys: 64 lowercase hex, no prefix (vast-facts §1). The letter-or-digit
# guards keep longer hex runs and `0x`-prefixed Ethereum keys out.
HEX_KEY = r'(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])'
_OPT_QUOTE = r'''(?:\\?["'`])?'''  # \" covers JSON-escaped source in notebooks

# A variable or key whose name says Vast.ai and secret: VAST_API_KEY, VASTAI_API_KEY,
# vastApiKey, BOOKFORGE_VAST_API_KEY, vastai_access_key, VASTAI_SECRET ... (vast-facts §6a).
# "vast" must start a word or a camelCase hump, so Avast, canvastoblob and devastate stay out.
VAST_NAME = (
    r'(?:(?<![A-Za-z0-9])(?i:vast)|(?<=[a-z0-9])Vast)'
    r'(?:[_.-]?(?i:ai))?'
    r'(?:[_.-]?[A-Za-z0-9]+?){0,3}?[_.-]?'
    r'(?i:key|token|secret)(?![A-Za-z0-9])'
)
# The per-instance key Vast sets inside every instance (vast-facts §2).
CONTAINER_NAME = r'(?<![A-Za-z0-9])(?i:container_api_key)(?![A-Za-z0-9])'

# From a name to its value in any common syntax: dotenv and shell (`=`), `export`, inline
# `VAR=... cmd`, YAML/JSON (`: `), TOML/INI/HCL, Dockerfile `ENV NAME value`, Go `:=`,
# PHP `=>`, `os.environ["NAME"] = ...`, `setdefault("NAME", ...)`, a Python type annotation,
# and a shell default `${NAME:-value}`.
ASSIGN = (
    _OPT_QUOTE + r'(?:\s*\])?'
    r'(?:\s*:\s*(?:str|string|String))?'
    r'[ \t]*(?:=>|:=|::|:-|=|:|,|[ \t])[ \t]*'
    + _OPT_QUOTE + r'(?:\$\{\w+:?[-=])?' + _OPT_QUOTE
)

# Values under a Vast-named key that are not 64-hex: base64 of a key (Kubernetes Secret
# `data:`), or any other secret (VASTAI_SECRET=..., vast-facts §6a).
# The lookahead-and-backreference takes the whole run at once and never backtracks into it
# (an atomic group, which `re` has only from Python 3.11); the detector enforces MAX_SECRET_LENGTH.
SECRET_VALUE = r'(?=(?P<secret>[A-Za-z0-9_+/=.~-]{16,}))(?P=secret)'
MAX_SECRET_LENGTH = 256

ASSIGNMENT_PATTERN = (
    r'(?P<name>' + VAST_NAME + r')' + ASSIGN + r'(?P<secret>' + HEX_KEY + r')'
)
NAMED_VALUE_PATTERN = r'(?P<name>' + VAST_NAME + r')' + ASSIGN + SECRET_VALUE
CONTAINER_PATTERN = CONTAINER_NAME + ASSIGN + r'(?P<secret>' + HEX_KEY + r')'

# `vastai set api-key KEY`, `./vast.py set api-key KEY`, `vastai ... --api-key KEY`, also across
# backslash-continued lines (vast-facts §6a items 7 and 8).
_CLI_NAME = r'(?<![\w.-])(?:\./)?(?i:vast(?:ai|\.py)?)(?![\w-])'
CLI_PATTERN = (
    _CLI_NAME + r'(?:[^\n]|\\\n)*?'
    r'(?:\bset[ \t]+api[-_]key[ \t]+|--api[-_]key(?:[ \t]+|=))'
    + _OPT_QUOTE + r'(?P<secret>' + HEX_KEY + r')'
)

# `?api_key=KEY` / `&api_key=KEY` on a vast.ai URL (vast-facts §3, §6a item 9).
URL_PATTERN = (
    r'(?i:[a-z0-9.-]*\bvast\.ai)(?::\d+)?/[^\s"\'<>?#]*\?(?:[^\s"\'<>#]*?&(?:amp;)?)?'
    r'api_key=(?P<secret>' + HEX_KEY + r')'
)

# A key in an API-key or Bearer slot; reported only with a Vast marker nearby (HOST_MARKER).
SLOT_PATTERN = (
    r'(?:(?i:\bbearer)[ \t]+'
    r'|(?i:\b(?P<slot>[\w.-]*?(?:api[-_]?key|access[-_]?key|token|secret|key)))'
    + _OPT_QUOTE + r'[ \t]*(?:=>|=|:|,)[ \t]*' + _OPT_QUOTE + r')'
    r'(?P<secret>' + HEX_KEY + r')'
)
# What makes a nearby key slot a Vast.ai one: a vast.ai host (console, cloud, run, openai...),
# the SDK (`import vastai`, `VastAI(`), or dstack's `type: vastai` backend. `@vastai/` is the
# npm scope of a different company (VAST AI Research) and `vastai/` an image name.
HOST_MARKER = r'(?i:\bvast\.ai\b|(?<![\w@/-])vastai(?![\w/-]))'
# Lines of context either side of a slot in which a marker counts.
MARKER_WINDOW = 6
# A slot's keyword ends at most this many characters before the key (`api_key\\": \\"KEY`).
SLOT_REACH = 24
SLOT_WORDS = ('bearer', 'key', 'token', 'secret')

# The CLI's key files: the file name is the context (vast-facts §2).
KEY_FILE_NAMES = frozenset(('.vast_api_key', 'vast_api_key', 'vast_tfa_key'))
KEY_FILE_PATH_SUFFIXES = ('vastai_kaalia/api_key',)
KEY_FILE_PATTERN = r'(?P<secret>' + HEX_KEY + r')'

# Names that pass VAST_NAME but hold something else: digests and checksums of a key, SSH
# identities (VAST_SSH_KEY, vast-facts §6c), Vast's own non-API tokens, VAST Data (a storage
# vendor), and anything that is a path to a key rather than a key.
EXCLUDED_NAME = r'(?i:hash|sha\d*|digest|checksum|fingerprint|jupyter|open_?button|signature|ssh|vast[_.-]?(?:data|vms))'
EXCLUDED_SLOT = r'(?i:hash|sha\d*|digest|checksum|fingerprint|jupyter|open_?button|signature|ssh|session)'

# Right before the value: it is a digest, not a key (`sha256:`, `--hash=sha256:`, `@sha256:`).
DIGEST_PREFIX = r'(?i:sha-?(?:256|512)[:=]|sha256sum\s+)\s*$'

# Placeholders and references under a Vast-named secret variable (vast-facts §6b). A value is
# a placeholder when one of these words is in it; references start with `$`, `{{`, `<`, etc.
PLACEHOLDER_WORDS = (
    'your', 'here', 'example', 'sample', 'placeholder', 'changeme', 'change_me', 'change-me',
    'dummy', 'fake', 'redacted', 'revoked', 'replace', 'insert', 'todo', 'xxxx', 'test',
    'secret_key', 'api_key', 'apikey', 'api-key', 'token_here', 'not_set', 'notset', 'none',
    'null', 'undefined', 'secrets.', 'environ', 'getenv', 'process.env', 'env.',
)
REFERENCE_START = ('$', '{', '<', '%', '[', '(', '@', '&', '*')
# Something that is a path to a key file, not a key (VAST_KEY=~/.ssh/id_ed25519).
PATH_LIKE = r'(?:^[~/.]|/\.ssh/|\.(?:pem|pub|key|json|ya?ml|txt|env)$|id_(?:rsa|ed25519|ecdsa|dsa))'

# Inline suppressions. detect-secrets' pragmas are honoured as they are; ours is `vastai-guard:allow`
# on the line, or `vastai-guard:allow-next-line` on the line before.
ALLOW_LINE = ('pragma: allowlist secret', 'vastai-guard:allow')
ALLOW_NEXT_LINE = ('pragma: allowlist nextline secret', 'vastai-guard:allow-next-line')

# Cheap test before any regex: every pattern but the key-file one needs one of these words, so
# a file without them is skipped at memchr speed. The casings people write, searched as they are:
# case-folding every blob first costs more than the five searches (history reads every blob).
# A name in a casing not listed here (`vAsT_API_KEY`) is not seen, by scan or history alike.
TRIGGER_WORDS = ('vast', 'Vast', 'VAST', 'container_api_key', 'CONTAINER_API_KEY')

# Entropy floors (bits per character). Random 64-hex keys sit at 3.5-4.0, so 3.0 only rejects
# made-up hex like `deadbeef` repeated; other secrets need to look random.
MIN_HEX_ENTROPY = 3.0
MIN_SECRET_ENTROPY = 3.3
