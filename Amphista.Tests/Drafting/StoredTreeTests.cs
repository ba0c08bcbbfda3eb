using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;

namespace Amphista.Tests.Drafting;

/// <summary>A drafter checkpoint may carry the tree chosen for it; without the file there is none.</summary>
public class StoredTreeTests
{
    [Fact]
    public void ADrafterDirectoryNamesItsTreeInDraftTreeJson()
    {
        string dir = Directory.CreateTempSubdirectory("amphista-tree").FullName;
        try
        {
            Assert.Null(DrafterSpec.StoredTree(dir));
            File.WriteAllText(Path.Combine(dir, DrafterSpec.TreeFileName), "[[0],[1],[0,0]]\n");
            string stored = DrafterSpec.StoredTree(dir)!;
            Assert.Equal(4, NamedTrees.Get(stored).Size);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SpecsThatAreNotDirectoriesHaveNoStoredTree()
    {
        Assert.Null(DrafterSpec.StoredTree("greedy"));
        Assert.Null(DrafterSpec.StoredTree("amphista:random:3"));
    }
}
