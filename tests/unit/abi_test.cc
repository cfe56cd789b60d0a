// The uapi header is shared verbatim with the kernel: it must compile as
// C++ in user space, and its versions must agree with the build's.
#include <gtest/gtest.h>

#include <string_view>

extern "C" {
#include <kml/version.h>
}
#include "uapi/kml.h"

TEST(Abi, ModuleVersionMatchesProjectVersion)
{
	EXPECT_EQ(std::string_view(KML_VERSION), KML_PROJECT_VERSION);
}

TEST(Abi, LibkmlVersionMatchesModuleVersion)
{
	EXPECT_EQ(std::string_view(kml_lib_version()), KML_VERSION);
}

TEST(Abi, AbiVersionIsPositive)
{
	EXPECT_GE(KML_ABI_VERSION, 1);
}

// The layouts user space maps: any change here is an ABI break and must
// bump KML_ABI_VERSION.
TEST(Abi, SampleIsOneCacheLine)
{
	EXPECT_EQ(sizeof(kml_sample), 64u);
	EXPECT_EQ(offsetof(kml_sample, seq), 0u);
	EXPECT_EQ(offsetof(kml_sample, features), 28u);
}

TEST(Abi, RingTailHasItsOwnCacheLine)
{
	EXPECT_EQ(offsetof(kml_ring_ctrl, tail), 64u);
	EXPECT_EQ(sizeof(kml_ring_ctrl), 128u);
}

TEST(Abi, IoctlStructsHaveNoHiddenPadding)
{
	EXPECT_EQ(sizeof(kml_abi_info), 32u);
	EXPECT_EQ(sizeof(kml_commit), 16u);
}

TEST(Abi, MmapRegionsDoNotOverlap)
{
	EXPECT_EQ(KML_MMAP_RING, 0u);
	EXPECT_EQ(KML_MMAP_WEIGHTS % 4096, 0u);
}
