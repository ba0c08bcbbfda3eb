using System.Text.Json;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Training;

namespace Amphista.Tests.Cli;

/// <summary>
/// amphista train as a process on the demo model: a few steps on a small text file write a Medusa or
/// Amphista drafter that verify accepts as lossless, the log and a checkpoint that --resume picks up;
/// bad flags and a missing file follow the error contract.
/// </summary>
public class TrainCliTests
{
    private static readonly string[] Lines =
    [
        "In the beginning God created the heaven and the earth.",
        "And the earth was without form, and void; and darkness was upon the face of the deep.",
        "And God said, Let there be light: and there was light.",
        "And God saw the light, that it was good: and God divided the light from the darkness.",
        "And God called the light Day, and the darkness he called Night.",
        "And the evening and the morning were the first day.",
        "The jury further said in term-end presentments that the City Executive Committee deserves the praise of the city.",
        "The September-October term jury had been charged by Fulton Superior Court Judge to investigate reports.",
        "Merger proposed: the jury recommended that the two offices be combined to achieve greater efficiency.",
        "He that loveth not knoweth not God; for God is love.",
    ];

    private static void InTemp(Action<string, string> body)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"amphista-train-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string data = Path.Combine(directory, "train.txt");
            File.WriteAllLines(data, Lines);
            body(data, Path.Combine(directory, "out"));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void A_few_steps_write_a_lossless_drafter_a_log_and_a_checkpoint_that_resume_reads()
    {
        InTemp((data, outDir) =>
        {
            string[] flags = ["train", "--drafter", "medusa", "--data", data, "--out", outDir, "--steps", "3", "--seq-len", "32",
                "--max-sequences", "4", "--batch", "2", "--threads", "2"];
            var run = CliRunner.Run(flags);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.StartsWith("data: 4 sequences, 128 tokens (corpus text)", run.StderrLines[0]);
            Assert.StartsWith("step 3/3 epoch 2 | loss ", run.StderrLines[^1]);
            Assert.Contains("trained medusa (4 heads, ", run.Stdout);
            Assert.Contains("step 3 of 3", run.Stdout);

            var weights = MedusaWeights.Load(outDir);
            Assert.Equal(4, weights.Config.Heads);
            Assert.True(File.Exists(TrainingCheckpoint.PathIn(outDir)));
            using (var log = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, TrainingLog.FileName))))
            {
                Assert.Equal(3, log.RootElement.GetProperty("steps").GetInt32());
                Assert.Equal(4, log.RootElement.GetProperty("sequences").GetInt32());
            }

            var verify = CliRunner.Run("verify", "--drafter", outDir, "--prompt-ids", "1,512,97,30", "--max-new-tokens", "8", "--json");
            Assert.Equal(0, verify.Json().GetProperty("mismatches").GetInt32());

            var resumed = CliRunner.Run([.. flags, "--resume"]);
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            Assert.Contains("step 3 of 3", resumed.Stdout);
        });
    }

    [Fact]
    public void Amphista_training_writes_an_amphista_checkpoint_that_verify_accepts()
    {
        InTemp((data, outDir) =>
        {
            var run = CliRunner.Run("train", "--drafter", "amphista", "--data", data, "--out", outDir, "--heads", "2", "--stages", "1",
                "--mlp", "64", "--steps", "2", "--seq-len", "32", "--max-sequences", "2", "--batch", "2");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("trained amphista (2 heads, ", run.Stdout);
            Assert.True(File.Exists(Path.Combine(outDir, Amphista.Decoding.Drafting.Amphista.AmphistaConfig.FileName)));
            var verify = CliRunner.Run("verify", "--drafter", outDir, "--tree", "[[0],[0,0],[1]]", "--prompt-ids", "1,512,97,30",
                "--max-new-tokens", "8", "--json");
            Assert.Equal(0, verify.Json().GetProperty("mismatches").GetInt32());
        });
    }

    [Fact]
    public void Distillation_trains_on_self_distilled_data_and_its_checkpoint_resumes_only_as_distillation()
    {
        InTemp((data, outDir) =>
        {
            string[] flags = ["train", "--drafter", "amphista", "--data", data, "--out", outDir, "--heads", "2", "--stages", "1",
                "--mlp", "64", "--steps", "2", "--seq-len", "32", "--max-sequences", "2", "--batch", "2"];
            var run = CliRunner.Run([.. flags, "--targets", "distill"]);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("(self-distilled)", run.StderrLines[0]);
            using (var log = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, TrainingLog.FileName))))
                Assert.True(log.RootElement.GetProperty("options").GetProperty("distill").GetBoolean());
            var verify = CliRunner.Run("verify", "--drafter", outDir, "--tree", "[[0],[0,0],[1]]", "--prompt-ids", "1,512,97,30",
                "--max-new-tokens", "8", "--json");
            Assert.Equal(0, verify.Json().GetProperty("mismatches").GetInt32());

            var resumed = CliRunner.Run([.. flags, "--targets", "self", "--resume"]);
            Assert.NotEqual(0, resumed.ExitCode);
            Assert.Contains("distill False (checkpoint: True)", resumed.Stderr);
        });
    }

    [Theory]
    [InlineData(new[] { "--drafter", "eagle" }, 2, "--drafter must be medusa or amphista")]
    [InlineData(new[] { "--drafter", "medusa", "--stages", "2" }, 2, "--stages does not apply to --drafter medusa")]
    [InlineData(new[] { "--drafter", "amphista", "--own-lm-heads" }, 2, "--own-lm-heads does not apply to --drafter amphista")]
    [InlineData(new[] { "--drafter", "medusa", "--targets", "mixed" }, 2, "--targets must be corpus, self or distill")]
    [InlineData(new[] { "--drafter", "medusa", "--steps", "0" }, 2, "--steps must be at least 1")]
    public void Bad_flags_are_usage_errors(string[] flags, int exitCode, string message)
    {
        InTemp((data, outDir) => CliRunner.Run(["train", "--data", data, "--out", outDir, .. flags]).AssertError(exitCode, message));
    }

    [Fact]
    public void A_missing_data_file_or_too_little_text_is_bad_input()
    {
        InTemp((data, outDir) =>
        {
            CliRunner.Run("train", "--drafter", "medusa", "--data", data + ".missing", "--out", outDir).AssertError(1, "not found");
            CliRunner.Run("train", "--drafter", "medusa", "--data", data, "--out", outDir, "--seq-len", "1000").AssertError(1, "no training sequence of 1000 tokens");
        });
    }
}
