// The Vicuna v1.1 prompt text (FastChat vicuna_v1.1) and its token ids with real EOS ids between turns.
using Amphista.Model.Tokenization;
using Amphista.Tensors;

namespace Amphista.Tests.Tokenization;

public sealed class VicunaTemplateTests
{
    private const string System =
        "A chat between a curious user and an artificial intelligence assistant. " +
        "The assistant gives helpful, detailed, and polite answers to the user's questions.";

    private static TextTokenizer Tok => DemoTokenizer.Instance;

    private static readonly (string User, string? Assistant)[] TwoTurns =
        [("Who begat Enoch?", "Cain begat Enoch."), ("And Enoch?", null)];

    [Fact]
    public void Single_turn_is_system_user_and_open_assistant() =>
        Assert.Equal(System + " USER: Hello! ASSISTANT:", VicunaTemplate.Format("Hello!"));

    [Fact]
    public void Custom_system_prompt_replaces_the_default() =>
        Assert.Equal("Be brief. USER: Hi ASSISTANT:", VicunaTemplate.Format("Hi", "Be brief."));

    [Fact]
    public void Completed_assistant_turns_end_with_end_of_sentence_marker() =>
        Assert.Equal(
            System + " USER: Who begat Enoch? ASSISTANT: Cain begat Enoch.</s>USER: And Enoch? ASSISTANT:",
            VicunaTemplate.Format(TwoTurns));

    [Fact]
    public void Encoded_chat_puts_the_eos_id_after_the_completed_turn()
    {
        int[] first = Tok.Encode(System + " USER: Who begat Enoch? ASSISTANT: Cain begat Enoch.");
        int[] second = Tok.Encode("USER: And Enoch? ASSISTANT:", addBos: false);
        int[] ids = VicunaTemplate.EncodeChat(Tok, TwoTurns);

        Assert.Equal([.. first, Tok.EosId, .. second], ids);
        Assert.Equal(Tok.BosId, ids[0]);
        Assert.Equal([first.Length], ids.Index().Where(p => p.Item == Tok.EosId).Select(p => p.Index));
        // Encoding the formatted text instead would spell "</s>" out and contain no EOS at all.
        Assert.DoesNotContain(Tok.EosId, Tok.Encode(VicunaTemplate.Format(TwoTurns)));
    }

    [Fact]
    public void Single_open_turn_encodes_like_its_text() =>
        Assert.Equal(Tok.Encode(VicunaTemplate.Format("Hello!")), VicunaTemplate.EncodeChat(Tok, [("Hello!", null)]));

    [Fact]
    public void Fully_answered_chat_ends_with_eos()
    {
        int[] ids = VicunaTemplate.EncodeChat(Tok, [("Hi", "Hello.")]);
        Assert.Equal(Tok.EosId, ids[^1]);
        Assert.Equal(System + " USER: Hi ASSISTANT: Hello.</s>", VicunaTemplate.Format([("Hi", "Hello.")]));
    }

    [Fact]
    public void Open_turn_before_the_last_is_rejected() =>
        Assert.Throws<InputException>(() => VicunaTemplate.Format([("Hi", null), ("Again", null)]));

    [Fact]
    public void Empty_chat_is_rejected() =>
        Assert.Throws<InputException>(() => VicunaTemplate.EncodeChat(Tok, []));
}
