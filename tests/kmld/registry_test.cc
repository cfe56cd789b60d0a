// SPDX-License-Identifier: GPL-2.0 OR MIT
// The model registry: names, pointers, concurrent writers, corrupt entries.
#include <gtest/gtest.h>

#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <kml/files.hpp>
#include <kml/registry.hpp>

#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using Kind = kml::RegistryError::Kind;

kml::FloatModel tiny_model(uint32_t n_in = KML_NR_FEATURES)
{
	return kml::FloatModel::make(KML_MODEL_LINEAR, {n_in, 1}, KML_ACT_NONE, KML_ACT_NONE, 1);
}

kml::ModelEntry add(kml::Registry &reg, const std::string &id, uint32_t n_in = KML_NR_FEATURES)
{
	return reg.add(id, {{"metrics", {{"accuracy", 0.9}}}}, [&](uint32_t vid) {
		return kml::to_blob(tiny_model(n_in), KML_WTYPE_Q16, vid);
	});
}

Kind error_kind(const std::function<void()> &f)
{
	try {
		f();
	} catch (const kml::RegistryError &e) {
		return e.kind();
	}
	ADD_FAILURE() << "no RegistryError";
	return Kind::bad_name;
}

class Registry : public ::testing::Test {
protected:
	kml_test::TempDir dir;
	kml::Registry reg{dir.path()};
};

TEST_F(Registry, AddCountsVersionsUpAndMovesLatest)
{
	auto a = add(reg, "sd");
	auto b = add(reg, "sd");

	EXPECT_EQ(a.ref.name(), "sd/1");
	EXPECT_EQ(b.ref.name(), "sd/2");
	EXPECT_EQ(reg.latest("sd"), 2u);
	EXPECT_EQ(reg.versions("sd"), (std::vector<uint32_t>{1, 2}));
	EXPECT_TRUE(b.meta["parent"] == 1);
	EXPECT_TRUE(a.meta["parent"].is_null());
	EXPECT_EQ(b.meta["features"]["nr_features"], KML_NR_FEATURES);
	EXPECT_EQ(b.meta["model"]["shape"], (std::vector<int>{KML_NR_FEATURES, 1}));
	EXPECT_EQ(b.meta["metrics"]["accuracy"], 0.9);
	EXPECT_EQ(reg.load("sd/2").blob, b.blob);
	EXPECT_EQ(reg.ids(), std::vector<std::string>{"sd"});
}

TEST_F(Registry, PinWinsOverLatest)
{
	add(reg, "sd");
	add(reg, "sd");
	add(reg, "sd");
	EXPECT_EQ(reg.resolve("sd").vid, 3u);
	EXPECT_EQ(error_kind([&] { reg.resolve("sd/pin"); }), Kind::not_found);

	reg.pin("sd/2");
	EXPECT_EQ(reg.resolve("sd").vid, 2u);
	EXPECT_EQ(reg.resolve("sd/pin").vid, 2u);
	EXPECT_EQ(reg.resolve("sd/latest").vid, 3u);
	EXPECT_EQ(reg.resolve("sd/1").vid, 1u);
	add(reg, "sd");
	EXPECT_EQ(reg.resolve("sd").vid, 2u);	// new versions do not move the pin

	reg.unpin("sd");
	EXPECT_EQ(reg.resolve("sd").vid, 4u);
	reg.unpin("sd");			// twice is fine
}

TEST_F(Registry, RollbackFollowsParents)
{
	add(reg, "sd");
	add(reg, "sd");
	EXPECT_EQ(reg.rollback("sd").vid, 1u);
	EXPECT_EQ(reg.resolve("sd").vid, 1u);
	EXPECT_EQ(error_kind([&] { reg.rollback("sd"); }), Kind::not_found);

	auto c = add(reg, "sd");	// trained after the rollback: its parent is 1
	EXPECT_EQ(c.ref.vid, 3u);
	EXPECT_TRUE(c.meta["parent"] == 1);
	EXPECT_EQ(reg.rollback("sd").vid, 1u);
}

TEST_F(Registry, BadAndUnknownNames)
{
	add(reg, "sd");
	EXPECT_EQ(error_kind([&] { reg.resolve("nosuch"); }), Kind::not_found);
	EXPECT_EQ(error_kind([&] { reg.resolve("sd/7"); }), Kind::not_found);
	EXPECT_EQ(error_kind([&] { reg.load("sd/7"); }), Kind::not_found);
	EXPECT_EQ(error_kind([&] { reg.resolve("sd/newest"); }), Kind::bad_name);
	EXPECT_EQ(error_kind([&] { reg.resolve("../etc"); }), Kind::bad_name);
	EXPECT_EQ(error_kind([&] { reg.resolve(".hidden"); }), Kind::bad_name);
	EXPECT_EQ(error_kind([&] { reg.resolve(""); }), Kind::bad_name);
}

TEST_F(Registry, CorruptEntriesAreErrorsNotCrashes)
{
	for (int i = 0; i < 5; i++)
		add(reg, "sd");
	auto dir_of = [&](int vid) { return dir.path() / "sd" / std::to_string(vid); };
	std::ofstream(dir_of(1) / "meta.json") << "{ not json";
	fs::remove(dir_of(2) / "model.blob");
	auto blob = kml::read_file(dir_of(3) / "model.blob");
	blob[70] ^= 1;	// the CRC no longer matches
	std::ofstream(dir_of(3) / "model.blob", std::ios::binary) << blob;
	std::ofstream(dir_of(4) / "meta.json") << R"({"vid": 99})";
	fs::remove(dir_of(5) / "meta.json");

	for (int vid = 1; vid <= 5; vid++) {
		try {
			reg.load("sd/" + std::to_string(vid));
			ADD_FAILURE() << "sd/" << vid << " loaded";
		} catch (const kml::RegistryError &e) {
			EXPECT_EQ(e.kind(), Kind::corrupt) << e.what();
			EXPECT_NE(std::string(e.what()).find("sd/" + std::to_string(vid)),
				  std::string::npos) << e.what();
		}
	}
	EXPECT_EQ(error_kind([&] { reg.pin("sd/3"); }), Kind::corrupt);
	// a corrupt latest: rollback still finds the version before it
	EXPECT_EQ(reg.rollback("sd").vid, 4u);
	std::ofstream(dir.path() / "sd" / "latest") << "banana\n";
	EXPECT_EQ(error_kind([&] { reg.resolve("sd"); }), Kind::corrupt);
}

TEST_F(Registry, IncompatibleFeaturesAreRefused)
{
	auto ok = add(reg, "sd");
	auto other = add(reg, "eight", 8);

	kml::require_compatible(ok);
	EXPECT_EQ(error_kind([&] { kml::require_compatible(other); }), Kind::incompatible);
}

// Writers of one id in separate processes: every version lands whole,
// each vid once.
TEST_F(Registry, ConcurrentWritersNeverCollide)
{
	constexpr int writers = 4, each = 10;
	std::vector<pid_t> pids;

	for (int w = 0; w < writers; w++) {
		pid_t pid = ::fork();
		if (pid == 0) {
			kml::Registry mine(dir.path());
			for (int i = 0; i < each; i++)
				add(mine, "shared");
			::_exit(0);
		}
		pids.push_back(pid);
	}
	// and threads of this process at the same time
	std::vector<std::thread> threads;
	for (int t = 0; t < 2; t++)
		threads.emplace_back([&] {
			kml::Registry mine(dir.path());
			for (int i = 0; i < each; i++)
				add(mine, "shared");
		});
	for (auto &t : threads)
		t.join();
	for (pid_t pid : pids) {
		int status = 0;
		::waitpid(pid, &status, 0);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	constexpr uint32_t total = (writers + 2) * each;
	auto vs = reg.versions("shared");
	ASSERT_EQ(vs.size(), total);
	for (uint32_t v = 1; v <= total; v++) {
		EXPECT_EQ(vs[v - 1], v);
		EXPECT_EQ(reg.load("shared/" + std::to_string(v)).ref.vid, v);
	}
	EXPECT_EQ(reg.latest("shared"), total);
	for (const auto &e : fs::directory_iterator(dir.path() / "shared"))
		EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos)
			<< "left behind: " << e.path();
}

} // namespace
