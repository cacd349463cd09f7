"""What counts as a Vast.ai key: the one source of truth.

The detector (detect.py, with names.py, slots.py and structure.py) and the detect-secrets plugins
(plugins.py, generated from ALL_RULES) are built from the rules, patterns and word lists here;
nothing else defines a Vast.ai pattern.

A bare 64-hex string is never enough (SHA-256 digests look the same): every finding names the
context that says "Vast.ai" -- a Vast-named variable, the CLI, a Vast host, an enclosing section,
the SDK, or a CLI key file. docs/vast-facts.md has the facts behind each rule.
"""
from __future__ import annotations

import re
from typing import NamedTuple


class Rule(NamedTuple):
    id: str
    # detect-secrets `secret_type`: stable, since baselines key on it
    secret_type: str
    title: str
    # the detect-secrets plugin class generated for this rule (baselines name it too)
    plugin: str


ASSIGNMENT = Rule(
    'vast-api-key',
    'Vast.ai API Key',
    'Vast.ai API key given to a Vast-named variable, setting or flag',
    'VastAIKeyDetector',
)
CLI = Rule(
    'vast-cli-api-key',
    'Vast.ai API Key (CLI argument)',
    'Vast.ai API key given to the vastai CLI or the host installer',
    'VastAICLIKeyDetector',
)
URL = Rule(
    'vast-url-api-key',
    'Vast.ai API Key (URL)',
    'Vast.ai API key in the query string of a vast.ai URL',
    'VastAIURLKeyDetector',
)
HOST_CONTEXT = Rule(
    'vast-host-api-key',
    'Vast.ai API Key (request to a Vast.ai host)',
    'API key or Bearer token in a Vast.ai context: a vast.ai host, the SDK, a Vast section',
    'VastAIHostKeyDetector',
)
KEY_FILE = Rule(
    'vast-key-file',
    'Vast.ai API Key (CLI key file)',
    'Vast.ai CLI key file committed with a key in it, or a key written into one',
    'VastAIKeyFileDetector',
)
CONTAINER = Rule(
    'vast-container-api-key',
    'Vast.ai Per-Instance API Key',
    'Vast.ai per-instance key (CONTAINER_API_KEY)',
    'VastAIContainerKeyDetector',
)
BASE64 = Rule(
    'vast-api-key-base64',
    'Vast.ai API Key (base64)',
    'base64-encoded Vast.ai API key under a Vast-named key',
    'VastAIBase64KeyDetector',
)
NAMED_SECRET = Rule(
    'vast-named-secret',
    'Vast.ai Named Secret',
    'high-entropy secret assigned to a Vast-named secret variable',
    'VastAINamedSecretDetector',
)
ALL_RULES = (ASSIGNMENT, CLI, URL, HOST_CONTEXT, KEY_FILE, CONTAINER, BASE64, NAMED_SECRET)

# --- candidates: found first with linear-time engines, then judged one by one ---------------

# Account and per-instance keys: 64 lowercase hex, no prefix (docs/vast-facts.md section 1). Runs
# of 64 or more are found, then only runs of exactly 64 between non-alphanumerics are judged:
# longer hex runs and `0x` keys stay out.
HEX_RUN = r'[0-9a-f]{64,}'
KEY_LENGTH = 64
# A value under a Vast-named credential, in one RE2 pass (linear, however the text is made): a
# name with "vast" and a credential word in it, an assignment in any common syntax, a value of
# 16+ token characters. The detector then reads the name's words (names.py) and judges the value.
NAMED_VALUE = (
    r'(?im)(?P<name>[a-z0-9_.:$-]{0,40}vast[a-z0-9_.:-]{0,40}'
    r'(?:key|token|secret|pass|pwd|auth|cred|bearer)[a-z0-9_.:-]{0,20})'
    r'''(?:\\?["'`\])]){0,3}[ \t]{0,4}(?:=>|:=|=|:|,|\|\||\?\?|[ \t])[ \t]{0,4}'''
    r'''(?:\\?["'`]){0,2}(?:\$\{[a-z0-9_.-]{1,60}:[-=]?)?'''
    r'(?P<secret>[a-z0-9_+/=.~-]{16,257})'
    # and a value ends like one: a quote, the end of the line, a comment or a separator (not
    # `= vast_dir + "/x"`, `= vast.config.get(...)`: code, not a value)
    r'''(?:\\?["'`]|[ \t]*(?:[\r\n#;,}\]]|//|$))'''
)
# Longer values are not secrets (and are cut at one more character by the pattern above, so
# that RE2 never has to capture a megabyte).
MAX_SECRET_LENGTH = 256
# A base64-encoded key (a Kubernetes Secret's `data:`): 64 bytes, or 65 with a newline.
BASE64_KEY_LENGTHS = (88,)
# One, between non-base64 characters: the prefilter's shape for a base64 key that a document
# (a Secret's `data:` under a Vast name) may name (units/encoded.py).
BASE64_KEY_SHAPED = rb'(?:^|[^A-Za-z0-9+/])[A-Za-z0-9+/]{86}[A-Za-z0-9+/=]{2}(?:[^A-Za-z0-9+/=]|$)'

# A file can only hold a finding if it says one of these, in any casing (or its name makes the
# context: a CLI key file, a file named for vast). Searched as most files write them first.
TRIGGER_WORDS = ('vast', 'container_api_key')

# --- context: what says Vast.ai ----------------------------------------------------------------

# Words that make a name a credential's (`VAST_API_KEY`, `vastToken`, `VASTAI_SECRET`) ...
SECRET_NAME_WORDS = frozenset((
    'key', 'apikey', 'token', 'secret', 'password', 'passwd', 'pwd', 'credential',
    'credentials', 'creds', 'auth', 'bearer',
))
SECRET_NAME_PARTS = ('apikey', 'secret', 'token', 'key')
# ... and words that make it something else: digests and checksums of a key, SSH identities,
# Vast's own instance tokens (Jupyter, the open button), webhook signatures, VAST Data (a
# storage vendor), other vendors' secrets pushed through `vastai create env-var` (facts 6c).
EXCLUDED_NAME_WORDS = frozenset((
    'hash', 'hashed', 'sha', 'md5', 'digest', 'checksum', 'fingerprint', 'fingerprints', 'fp',
    'jupyter', 'signature', 'sig', 'ssh', 'webhook', 'hmac', 'nonce', 'salt', 'iv', 'vms', 'r2',
    'aws', 's3', 'hf', 'wandb', 'github', 'gh', 'session', 'tripo', 'cloudflare', 'cf', 'sops',
    'pub', 'public', 'integrity', 'etag', 'data',
))
EXCLUDED_NAME_PARTS = ('openbutton', 'vastdata', 'huggingface', 'sha256', 'sha512', 'checksum')
# Names a value sits under when its name is elsewhere (`- name: X` / `value: KEY`, XML
# `<add key="X" value="KEY"/>`, Terraform `variable "x" { default = "KEY" }`, a config
# helper's `default_value=` / `fallback=`, pydantic's `Field(default=...)`).
VALUE_SLOTS = frozenset((
    'value', 'default', 'val', 'default_value', 'defaultvalue', 'fallback', 'fallback_value',
))

# Markers of Vast.ai on or near a line: a vast.ai host (console, cloud, run, openai...), the
# `vastai` CLI, SDK or Terraform provider (`type: vastai`, `vastai_api_key`, `.../vastai"`), or
# an identifier built on it (`VastAI(`, `VastAiClient`, `vastAICredentialsApi`). `@vastai/` is the
# npm scope of a different company (VAST AI Research), `vastai/<image>` an image name, and
# "Vastai Technologies" a chip vendor: none counts.
HOST_MARKER = (
    r'(?i:(?<![a-z0-9])vast\.ai\b|(?<![\w@-])vastai(?![a-z0-9-]|/[a-z]|\s+tech))'
    r'|(?<![A-Za-z0-9@])[Vv]ast(?:AI|Ai)(?=[A-Z])'
)
# Lines either side of a key slot in which a marker counts.
MARKER_WINDOW = 6
# A Markdown label for a key on the lines below it (`Your Vast.ai API key:`): a short phrase.
MAX_LABEL_LENGTH = 60
# The SDK imported anywhere in a module makes every key slot in it a Vast one.
SDK_IMPORTS = ('import vastai', 'from vastai')
# Calls whose argument stands in for a setting read just before them in the chain
# (`env::var("VAST_API_KEY").unwrap_or("KEY")`, `getenv("X").orElse("KEY")`).
FALLBACK_CALLS = frozenset((
    'unwrap_or', 'unwrap_or_else', 'or', 'orelse', 'or_else', 'getorelse', 'getordefault',
    'withdefault', 'fallback',
))
# File-scope evidence: a text that configures a Vast client anywhere makes its generic key slots
# (`API_KEY`, `token`, `Authorization`) Vast ones: it calls the vast.ai API (a URL with the
# API's path: a bare `BASE = "https://console.vast.ai"` 30 lines away is not a call) ...
CLIENT_HOST = r'(?i)(?<![\w.-])(?:console|cloud|run)\.vast\.ai(?::[0-9]{1,5})?/api/v[0-9]'
# ... or gives the CLI a key (`"set api-key " + API_KEY` run through `./vast.py`).
CLI_SET_KEY = ('set api-key', 'set api_key')
# Names a file name alone may decide for (the words of `api_key`, `API_TOKEN`, `Authorization`,
# `--oauth2-bearer`): `MASTER_PKEY` in `vast-template-env.txt` names some other secret.
# `secret` is not one: `SECRET_KEY` / `app.secret_key` sign a web app's sessions, often with
# 64 hex, in the same module that calls the Vast API.
GENERIC_SLOT_WORDS = frozenset((
    'api', 'key', 'keys', 'apikey', 'token', 'auth', 'authorization', 'bearer', 'oauth',
    'oauth2', 'access', 'x', 'my', 'your',
))
# Section names that name no vendor (`[default]`, `[credentials]`): file-scope evidence still
# reaches a slot in them.
GENERIC_SECTION_WORDS = frozenset((
    'default', 'defaults', 'credentials', 'credential', 'auth', 'api', 'settings', 'config',
    'main', 'general', 'secrets', 'keys', 'env', 'environment', 'global',
))
# `vastai create env-var NAME VALUE` carries other vendors' secrets onto instances.
ENV_VAR_COMMAND = 'env-var'

# Right before the value: it is a digest, not a key (`sha256:`, `--hash=sha256:`, `@sha256:`).
DIGEST_PREFIX = r'(?i:sha-?(?:256|512)[:=-]|sha256sum\s+)\s*$'

# The CLI's key files: the file name is the context (facts section 2).
KEY_FILE_NAMES = frozenset(('.vast_api_key', 'vast_api_key', 'vast_tfa_key'))
KEY_FILE_PATH_SUFFIXES = ('vastai_kaalia/api_key',)
# A key written into one: `echo KEY > ~/.vast_api_key`, `| tee ~/.config/vastai/vast_api_key`.
KEY_FILE_WRITE = (
    r'''["'`]?[ \t]*(?:>>?|\|[ \t]*tee(?:[ \t]+-a)?)[ \t]*["'`]?[^\s"'`]{0,200}?'''
    r'(?P<file>\.?vast_api_key|vast_tfa_key|vastai_kaalia/api_key)'
)
# A heredoc into one (`cat > ~/.vast_api_key <<EOF`, the key on the lines that follow): these
# names, found with `str.find`, then `>`, `>>` or `tee` before the path and `<<` after it
# (units/key_file.py; a regex tried at every `>` of a long line was quadratic).
KEY_FILE_HEREDOC_NAMES = ('vast_api_key', 'vast_tfa_key')
# Code that writes one: the key is the string a write call starts with (`f.write("KEY")`,
# `Path(...).write_text("KEY")`, `fs.writeFileSync(path, "KEY")`) ...
KEY_FILE_WRITE_CALLS = ('.write(', '.write_text(')
KEY_FILE_WRITE_WITH_PATH = 'writeFileSync('
# ... and the file is named on its line, or opened for writing on a line just above it
# (`with open(os.path.expanduser("~/.vast_api_key"), "w") as f:`: `open(`, the name, then a
# `"w"`, `"a"` or `"x"` mode after a comma).
KEY_FILE_NAME = r'(?P<file>\.?vast_api_key|vast_tfa_key|vastai_kaalia/api_key)'
# The host installer: `wget https://console.vast.ai/install -O install; python3 install KEY`.
# (`(?m)`: these are searched from a line's start inside the text, where `^` must match.)
HOST_INSTALL = r'(?m)(?:^|[\s;&|])(?:sudo[ \t]+)?python3?[ \t]+(?:\./)?install[ \t]+$'
# The CLI on a line: `vastai`, `./vast`, `vast.py`, `!vastai` in a notebook.
CLI_NAME = r'''(?m)(?:^|[\s;&|(!`"'])(?:\./)?(?i:vast(?:ai|\.py)?)(?=\s)'''
# Hex runs long enough to be part of a key: cut from anything a report shows (names, labels).
LONG_HEX_RUN = re.compile(r'[0-9a-fA-F]{16,}')

# Placeholders and references under a Vast-named secret variable (facts 6b). A value is a
# placeholder when one of these words is in it; references start with `$`, `{{`, `<`, etc.
PLACEHOLDER_WORDS = (
    'your', 'here', 'example', 'sample', 'placeholder', 'changeme', 'change_me', 'change-me',
    'dummy', 'fake', 'redacted', 'revoked', 'replace', 'insert', 'todo', 'xxxx', 'test',
    'secret_key', 'api_key', 'apikey', 'api-key', 'token_here', 'not_set', 'notset', 'none',
    'null', 'undefined', 'secrets.', 'environ', 'getenv', 'process.env', 'env.',
    # a made-up key, written to show the shape (`vast_sk_abc123...`)
    'abc123', '123abc', '...',
)
# A value that is itself a name (kebab/snake/dotted lowercase words, a digit or two): a list of
# UI element ids (`vast-api-key-input, r2-access-key-input`), not a secret.
IDENTIFIER_VALUE = r'[a-z]{1,12}[0-9]?(?:[-_.][a-z]{1,12}[0-9]?){1,8}'
REFERENCE_START = ('$', '{', '<', '%', '[', '(', '@', '&', '*')
# Something that is a path to a key file, not a key (VAST_KEY=~/.ssh/id_ed25519).
PATH_LIKE = r'(?:^[~/.]|/\.ssh/|\.(?:pem|pub|key|json|ya?ml|txt|env)$|id_(?:rsa|ed25519|ecdsa|dsa))'

# Inline suppressions. detect-secrets' pragmas are honoured as they are; ours is
# `vastai-guard:allow` on the line, or `vastai-guard:allow-next-line` on the line before.
ALLOW_LINE = ('pragma: allowlist secret', 'vastai-guard:allow')
ALLOW_NEXT_LINE = ('pragma: allowlist nextline secret', 'vastai-guard:allow-next-line')

# Entropy floors (bits per character). Random 64-hex keys sit at 3.5-4.0, so 3.0 only rejects
# made-up hex like `deadbeef` repeated; other secrets need to look random.
MIN_HEX_ENTROPY = 3.0
MIN_SECRET_ENTROPY = 3.3
