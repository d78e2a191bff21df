"""Slack's limits, in one place, counted as Slack counts them: characters of the text as sent
(after `&amp;`-escaping).

Sources: https://api.slack.com/reference/block-kit/blocks (section text 3000, header 150,
actions 25 elements, context 10 elements); https://api.slack.com/reference/block-kit/block-elements
(button text 75, value 2000; radio buttons 10 options; selects 100 options);
https://api.slack.com/reference/block-kit/composition-objects (option text 75, value 150);
https://api.slack.com/reference/surfaces/views (100 blocks, private_metadata 3000);
https://api.slack.com/methods/chat.postMessage (50 blocks; text 40,000, truncated past 4,000).
"""

from __future__ import annotations

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
CONTEXT_TEXT = 3000
CONTEXT_ELEMENTS = 10
HEADER_TEXT = 150
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
INPUT_LABEL = 2000
RADIO_OPTIONS = 10
SELECT_OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
PRIVATE_METADATA = 3000
MESSAGE_TEXT = 4000
"""`text` of a message: 40,000 is the hard limit, but past 4,000 Slack truncates it."""
