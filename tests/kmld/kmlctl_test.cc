// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmlctl as a user meets it, without a kernel: a fake sysfs tree
// (--sysfs-root / KML_SYSFS_ROOT) and a registry in a temporary folder.
#include <gtest/gtest.h>

#include <fmt/core.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include <kml/files.hpp>

#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;

class Kmlctl : public ::testing::Test {
protected:
	kml_test::TempDir dir;

	kml_test::Result kmlctl(const std::string &args)
	{
		return kml_test::run(fmt::format("KML_SYSFS_ROOT={} {} --registry {} {}",
						 dir / "sys", KMLCTL_PATH, dir / "reg", args));
	}

	void put(const std::string &path, const std::string &text)
	{
		fs::create_directories((dir.path() / "sys" / path).parent_path());
		std::ofstream(dir.path() / "sys" / path) << text;
	}

	// The files of a loaded kml.ko and one disk using kml-deadline.
	void fake_module()
	{
		put("kernel/kml/version", "0.1.0\n");
		put("kernel/kml/abi_version", fmt::format("{}\n", KML_ABI_VERSION));
		put("kernel/kml/selftest", "ok\n");
		put("kernel/kml/mode", "dropping\n");
		put("kernel/kml/produced", "42\n");
		put("kernel/kml/model/version", "3\n");
		put("kernel/kml/model/kind", "linear\n");
		put("block/vda/queue/scheduler", "mq-deadline [kml-deadline] none\n");
		put("block/vda/queue/iosched/read_target_us", "2000\n");
		put("block/vda/queue/iosched/stats", "decisions 7\nsamples 5\n");
		put("block/vdb/queue/scheduler", "[mq-deadline] kml-deadline none\n");
	}

	void train(const std::string &id)
	{
		kml_test::write_csv(dir / "s.csv",
				    kml_test::synthetic_samples(2000, kml_test::linear_law));
		auto r = kmlctl(fmt::format("train --csv {} --model linear --out-id {}", dir / "s.csv", id));
		ASSERT_EQ(r.status, 0) << r.out;
	}
};

TEST_F(Kmlctl, ModuleNotLoaded)
{
	for (const char *cmd : {"status", "stats", "mode", "mode blocking", "export --out x.csv",
				"model rollback"}) {
		auto r = kmlctl(cmd);
		EXPECT_EQ(r.status, 3) << cmd << ": " << r.out;
		EXPECT_NE(r.out.find("kml.ko is not loaded"), std::string::npos) << r.out;
	}
}

TEST_F(Kmlctl, AbiMismatch)
{
	fake_module();
	put("kernel/kml/abi_version", "999\n");
	auto r = kmlctl("status");
	EXPECT_EQ(r.status, 6) << r.out;
	EXPECT_NE(r.out.find("ABI 999"), std::string::npos) << r.out;
}

TEST_F(Kmlctl, StatusJsonIsOneObject)
{
	fake_module();
	auto r = kml_test::run(fmt::format("{} --sysfs-root {} --json status 2>/dev/null",
					   KMLCTL_PATH, dir / "sys"));
	ASSERT_EQ(r.status, 0) << r.out;
	auto j = nlohmann::json::parse(r.out);
	EXPECT_EQ(j["module"]["selftest"], "ok");
	EXPECT_EQ(j["ring"]["produced"], 42);
	EXPECT_TRUE(j["ring"]["dropped"].is_null());	// missing file
	EXPECT_EQ(j["model"]["version"], 3);
	ASSERT_EQ(j["disks"].size(), 1u);		// vdb uses mq-deadline
	EXPECT_EQ(j["disks"][0]["iosched"]["stats"]["decisions"], 7);

	auto s = nlohmann::json::parse(kmlctl("stats --json 2>/dev/null").out);
	EXPECT_EQ(s["disks"][0]["stats"]["samples"], 5);
}

TEST_F(Kmlctl, ModeIsWrittenToSysfs)
{
	fake_module();
	auto r = kmlctl("mode blocking");
	EXPECT_EQ(r.status, 0) << r.out;
	EXPECT_TRUE(kml::read_file(dir.path() / "sys/kernel/kml/mode").starts_with("blocking"));
	EXPECT_EQ(kmlctl("mode sometimes").status, 2);
}

TEST_F(Kmlctl, UnknownModelName)
{
	auto r = kmlctl("model show nosuch");
	EXPECT_EQ(r.status, 5) << r.out;
	EXPECT_NE(r.out.find("unknown model 'nosuch'"), std::string::npos) << r.out;
	train("sd");
	EXPECT_EQ(kmlctl("model show sd/9").status, 5);
	EXPECT_EQ(kmlctl("model show sd/pin").status, 5);
	EXPECT_EQ(kmlctl("model push nosuch").status, 5);
	EXPECT_EQ(kmlctl("model show ../x").status, 2);
}

TEST_F(Kmlctl, TrainListPinShowRollback)
{
	train("sd");
	train("sd");
	auto list = nlohmann::json::parse(kmlctl("--json model list 2>/dev/null").out);
	ASSERT_EQ(list.size(), 2u);
	EXPECT_EQ(list[1]["name"], "sd/2");
	EXPECT_TRUE(list[1]["latest"]);
	EXPECT_GT(list[1]["accuracy"].get<double>(), 0.5);

	EXPECT_EQ(kmlctl("model pin sd/1").status, 0);
	auto show = nlohmann::json::parse(kmlctl("model show sd --json 2>/dev/null").out);
	EXPECT_EQ(show["name"], "sd/1");
	EXPECT_EQ(show["meta"]["trained_by"], "kmlctl train");
	EXPECT_EQ(kmlctl("model unpin sd").status, 0);
	EXPECT_EQ(kmlctl("model rollback sd").status, 0);
	EXPECT_EQ(nlohmann::json::parse(kmlctl("model show sd --json").out)["name"], "sd/1");
	EXPECT_NE(kmlctl("model list").out.find("sd/1"), std::string::npos);
}

TEST_F(Kmlctl, CorruptModelIsReported)
{
	train("sd");
	std::ofstream(dir.path() / "reg/sd/1/meta.json") << "{";
	auto r = kmlctl("model show sd");
	EXPECT_EQ(r.status, 8) << r.out;
	EXPECT_NE(r.out.find("bad meta.json"), std::string::npos) << r.out;
	auto list = kmlctl("model list");
	EXPECT_EQ(list.status, 0) << list.out;
	EXPECT_NE(list.out.find("corrupt"), std::string::npos) << list.out;
}

TEST_F(Kmlctl, PushNeedsTheModule)
{
	train("sd");
	auto r = kmlctl("model push sd");
	EXPECT_EQ(r.status, 3) << r.out;
}

TEST_F(Kmlctl, UsageErrors)
{
	EXPECT_EQ(kmlctl("").status, 2);
	EXPECT_EQ(kmlctl("frobnicate").status, 2);
	EXPECT_EQ(kmlctl("train --csv /nonexistent --out-id x").status, 2);
	EXPECT_EQ(kmlctl("--help").status, 0);
}

} // namespace
