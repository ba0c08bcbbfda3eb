namespace Amphista.Cli;

/// <summary>Dispatches "amphista COMMAND [flags]".</summary>
public static class Commands
{
    public const string Usage = """
        usage:
          amphista generate [--model DIR] (--prompt TEXT | --prompt-ids 1,2,3) [--max-new-tokens N] [--chat] [--ignore-eos]
                            [--drafter SPEC] [--tree NAME] [--heads K]
                            [--temperature T [--top-k K] [--top-p P] [--seed S] [--draft-ranking perturbed|logits]
                             [--acceptance exact|typical [--posterior-threshold E] [--posterior-alpha A]]] [--json]
          amphista verify [--model DIR] --drafter SPEC [--tree NAME] [--heads K]
                          (--prompt-ids 1,2,3 | --prompts FILE | --random-prompts N [--seed S]) [--max-new-tokens N]
                          [--temperature T [--top-k K] [--top-p P] [--seed S] [--draft-ranking R]] [--json]
          amphista eval [--model DIR] --drafter SPEC [--tree NAME] [--heads K]
                        (--prompt-ids 1,2,3 | --prompts FILE | --heldout FILE) [--max-prompts N]
                        [--max-new-tokens N] [--repeats R] [--save-profile] [sampling flags] [--json]
          amphista bench [--model DIR|random:PRESET] [--drafters greedy,medusa,amphista] [--tree NAME|auto] [--heads K]
                         [--prompts FILE | --heldout FILE] [--max-prompts N] [--max-new-tokens N] [--ignore-eos] [--repeats R]
                         [--chart FILE] [sampling flags] [--json]
          amphista plan [--model DIR|random:PRESET] [--drafter DIR] [--profile FILE|DIR] [--tree NAME] [--max-nodes N]
                        [--repeats R] [--json]
          amphista forward [--model DIR] --prompt-ids 1,2,3 --out FILE
          amphista train --drafter medusa|amphista [--model DIR] --data FILE --out DIR [--heads K] [--stages S]
                         [--block-layers B] [--mlp F] [--attention-heads H] [--own-lm-heads] [--targets corpus|self|distill] [--seq-len T]
                         [--max-sequences N] [--max-tokens N] [--steps N] [--minutes M] [--batch B] [--lr X] [--seed S]
                         [--checkpoint-every N] [--resume]
          amphista draft-vocab [--model DIR] --data FILE --size N --drafter DIR
          amphista tokenize [--model DIR | --tokenizer FILE] (--text TEXT | --file F | --decode 1,2,3) [--no-special] [--json]
          amphista serve [--model DIR] [--drafter SPEC] [--tree NAME|auto] [--heads K] [--host ADDRESS] [--port N] [--max-queue N]
          amphista export [--model DIR|random:PRESET] --out DIR [--shards N]
          amphista selftest [--json] [--threads N] [--vector-width 512|256|128|scalar] [--reference FILE | --write FILE]
          amphista help
        decoding flags:
          --drafter SPEC  greedy (generate's default), medusa:random[:SEED], amphista:random[:SEED], or a drafter
                          checkpoint directory
          --tree NAME     mc_sim_7b_63 (default), chain, narrow, root, or a path list such as [[0],[0,0],[1]]
          --heads K       heads of a random drafter (default 4)
        sampling flags (T = 0, the default, is greedy decoding):
          --temperature T > 0 samples with the lossless sampler: each token is the argmax of logit / T plus Gumbel
                          noise keyed by (seed, position, token id) (SPEC.md §3a), so speculative sampling emits
                          exactly plain sampling's tokens, on every machine
          --top-k K       sample from the K most likely tokens only; --top-p P (0 < P <= 1): from the smallest set
                          of most likely tokens holding P of the probability; --seed S: any 64-bit integer (default 0)
          --draft-ranking perturbed (default): heads rank candidates by the sampler's own noisy scores; logits: by
                          their logits. Changes the speed, never the output
          --acceptance typical  Medusa's typical acceptance instead (needs a drafter): NOT lossless, the output is
                          no longer plain sampling's; --posterior-threshold (default 0.09), --posterior-alpha
                          (default 0.3) tune it. verify, eval and bench compare outputs, so they refuse it
        verify decodes every prompt plainly and speculatively (greedy, or sampled with the same flags) and exits 1
        unless all outputs are equal; --seed seeds both the random prompts and the sampler.
        eval measures a drafter against greedy decoding (both stop at EOS, after one warm-up run): mean accepted
        length, acceptance per head and per candidate rank, tokens/s of both (median of R runs, default 3) and the
        speed-up; exits 1 if any output differs from greedy. --save-profile stores the measured per-head, per-rank
        acceptance in the drafter's directory (acceptance_profile.json, what bench --tree auto chooses trees from;
        measure it on a wide tree such as mc_sim_7b_63). --prompts FILE: one prompt per line; --heldout FILE:
        each line's first third of words (how the README's held-out numbers are measured, e.g. on
        data/kjv-brown/heldout.txt); --max-prompts N keeps the first N lines.
        train fits drafting heads to the frozen base model and writes a drafter checkpoint to OUT (use it as
        --drafter OUT), training_log.json and checkpoint/. --data: one document per line, plain or gzip, e.g.
        data/kjv-brown/train.txt.gz; --targets corpus (default) packs the text into sequences of T tokens (default
        128), self continues each document's first third with the base model's greedy output, distill does too and
        trains each head on the base model's whole next-token distribution (soft targets); --max-sequences N
        keeps the first N; --max-tokens N stops gathering data at N tokens. --heads K (default 4); --block-layers B: Medusa's residual blocks per head, Amphista's
        auto-embedding layers (default 1); --stages S (default min(2, K)), --mlp F (default the base model's)
        and --attention-heads H (query and key/value heads of the stage and block layers, default the base model's)
        are Amphista's; --own-lm-heads gives each Medusa head a trainable LM head. --steps N (default one pass over
        the data) with --batch B sequences a step (default 8), AdamW at --lr X (default 1e-3), 5% warm-up then
        cosine to 10%, gradients clipped to norm 1; --minutes M alone sets N from the measured speed, and caps
        any run. A checkpoint every N steps (default 100) and when the run stops (time, Ctrl+C); --resume
        continues it bit for bit (same flags).
        bench times greedy decoding and each drafter (default greedy,medusa,amphista: the drafters shipped with the
        demo model; any other name is a drafter SPEC) on the same prompts in one process, interleaved, after a
        warm-up: tokens/s (median and range of R rounds, default 5), speed-up over greedy, tokens per step, and
        whether every output equals greedy's (exit 1 if not); this machine's memory bandwidth and greedy's share
        of that roofline; the time of one pass over T = 1, 2, 4, ..., 64 tokens. It writes an SVG chart of the
        speed-ups (--chart, default bench.svg). Prompts: --prompts or --heldout FILE, else the demo's held-out
        set (first 12 lines), else random token ids. --tree auto picks each drafter's tree for this machine from
        the cost curve and the drafter's acceptance profile, and stores both in the drafter's directory.
        --model random:PRESET builds a random bf16 model of a named shape in memory: tinyllama-1.1b, vicuna-7b,
        llama-68m, kjv-brown-14m.
        draft-vocab counts the tokens of a corpus (--data, one document per line) and stores the N most frequent in
        the drafter's directory (draft_vocabulary.json): its heads then score only those N tokens, which makes
        drafting cheaper and changes what is proposed, never what is output. Delete the file for the full vocabulary.
        export writes the model as a Hugging Face checkpoint directory (config.json, safetensors weights; with
        --shards N > 1 split by size into N files and model.safetensors.index.json), e.g. a random preset to disk.
        plan answers "will speculation pay for this model on this machine, and with which tree?" before a drafter is
        trained for it: it measures the model's pass cost curve and what a step of the drafter (default the shipped
        Amphista drafter) costs beyond its pass, the drafter itself when it fits the model, else its shape sized to
        the model with random weights; prices every tree of up to --max-nodes nodes (default 16) with the acceptance
        profile (--profile, default the drafter's acceptance_profile.json), and prints the best tree, its expected
        tokens per step and expected speed-up over greedy decoding, or greedy decoding when no tree pays. --tree
        prices that tree too.
        tokenize shows exactly which ids a text becomes (each with its vocabulary entry), or the text ids decode to,
        with the model's tokenizer (tokenizer.model, else tokenizer.json) or the --tokenizer FILE given; --no-special
        encodes without the BOS/EOS the tokenizer adds and decodes without special tokens.
        A model directory without a tokenizer still runs on token ids (--prompt-ids, random prompts): generate
        then prints the new ids, and text fields of --json output are null.
        serve answers OpenAI's HTTP API (GET /v1/models, POST /v1/completions and /v1/chat/completions, streamed
        or not, GET /health) with the model, decoding each request as generate does with the same flags (greedy, or
        the lossless sampler for temperature > 0 with top_p, top_k and seed; lossless with a drafter) and reporting the decoder's statistics in an "amphista" field. Requests
        wait in arrival order and decode one at a time; beyond --max-queue N waiting (default 64) they get 429.
        Chat uses the Vicuna v1.1 template. It listens on 127.0.0.1 (--host another address to serve beyond this
        machine) port 8080 (--port 0: any free port), prints the address, and stops on Ctrl+C or SIGTERM.
        selftest, for porting to a new machine: prints the runtime, OS, architecture, the vector widths this machine
        accelerates and the one in use, and checks that the demo model computes the reference bits
        (models/kjv-brown-14m/reference_bits.json, or --reference FILE): the SHA-256 of every logits row of three
        prompts and their greedy continuations. Exits 0 only if every bit matches, else 1 naming the first prompt and
        position (from 0) that differ. --write FILE stores what this machine computes instead, for after an
        intended change of the reduction order (SPEC §2).
        common flags: --threads N (default: all cores), --verbose (stack traces, costs),
        --vector-width 512|256|128|scalar (default: the widest this machine accelerates): the CPU kernels' vector
        width, the same bits at every width (one this machine does not accelerate is emulated, slowly); cpu only,
        --device cpu|cuda|cpu-sim (default cpu): where the model, drafters and decoders run; cuda is the first CUDA
        GPU, cpu-sim ILGPU's CPU simulator running the GPU kernels (slow: for checking the device path on tiny models).
        train runs on the CPU only.
        The default model is the embedded demo model (models/kjv-brown-14m).
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var rest = args[1..];
        return args[0] switch
        {
            "generate" => GenerateCommand.Run(rest),
            "verify" => VerifyCommand.Run(rest),
            "eval" => EvalCommand.Run(rest),
            "forward" => ForwardCommand.Run(rest),
            "bench" => Bench.BenchCommand.Run(rest),
            "plan" => PlanCommand.Run(rest),
            "train" => TrainCommand.Run(rest),
            "draft-vocab" => DraftVocabCommand.Run(rest),
            "export" => ExportCommand.Run(rest),
            "tokenize" => TokenizeCommand.Run(rest),
            "serve" => ServeCommand.Run(rest),
            "selftest" => SelfTest.SelfTestCommand.Run(rest),
            _ => throw new UsageException($"unknown command '{args[0]}' (commands: generate, verify, eval, bench, plan, forward, train, draft-vocab, export, tokenize, serve, selftest, help)"),
        };
    }
}
