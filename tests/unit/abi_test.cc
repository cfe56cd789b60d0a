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
