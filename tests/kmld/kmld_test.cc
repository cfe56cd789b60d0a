// SPDX-License-Identifier: GPL-2.0 OR MIT
// kmld's pieces (CSV, metrics, the event loop) and the binary itself, run
// on replayed samples: --once end to end, SIGTERM, one instance.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

#include <cstring>
#include <fmt/core.h>
#include <kml/files.hpp>
#include <kml/registry.hpp>

#include "event_loop.hpp"
#include "metrics.hpp"
#include "test_util.hpp"

namespace {

using namespace std::chrono_literals;
using kml_test::TempDir;

TEST(Csv, RoundTripIsExact)
{
	TempDir dir;
	auto samples = kml_test::synthetic_samples(500, kml_test::linear_law);
	samples[3].flags = KML_SAMPLE_PREDICTED;
	samples[3].predicted_ns = 12345;
	samples[3].model_version = 9;
	samples[4].features[2] = -7;	// a negative LSB survives too
	kml_test::write_csv(dir / "s.csv", samples);

	auto back = kml::read_samples_csv(dir / "s.csv");
	ASSERT_EQ(back.size(), samples.size());
	for (size_t i = 0; i < samples.size(); i++)
		EXPECT_EQ(std::memcmp(&back[i], &samples[i], sizeof(kml_sample)), 0) << "row " << i;
}

TEST(Csv, BadRowNamesFileAndLine)
{
	TempDir dir;
	kml_test::write_csv(dir / "s.csv", kml_test::synthetic_samples(3, kml_test::linear_law));
	std::ofstream(dir / "s.csv", std::ios::app) << "1,2,3\n";

	try {
		kml::read_samples_csv(dir / "s.csv");
		FAIL() << "no error";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string(e.what()).find("s.csv:5:"), std::string::npos) << e.what();
	}
	std::ofstream(dir / "h.csv") << "a,b\n";
	EXPECT_THROW(kml::read_samples_csv(dir / "h.csv"), std::runtime_error);
}

TEST(Metrics, PrometheusTextfileFormat)
{
	TempDir dir;
	kmld::Metrics m;
	m.counter("kmld_pushes_total", "Models pushed", 3);
	m.add_kernel({{"ring", {{"produced", 10}, {"mode", "blocking"}}},
		      {"model", {{"version", nullptr}}}});
	m.write(dir / "kmld.prom");

	auto text = kml::read_file(dir / "kmld.prom");
	EXPECT_NE(text.find("# HELP kmld_pushes_total Models pushed.\n# TYPE kmld_pushes_total counter\n"
			    "kmld_pushes_total 3\n"), std::string::npos) << text;
	EXPECT_NE(text.find("kml_ring_produced_total 10\n"), std::string::npos);
	EXPECT_NE(text.find("kml_ring_mode{mode=\"blocking\"} 1\n"), std::string::npos);
	EXPECT_EQ(text.find("kml_model_version"), std::string::npos);	// missing: left out
}

TEST(EventLoop, WakesForSamplesTicksAndSignals)
{
	kml::UniqueFd ev(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	kmld::EventLoop loop(ev.get(), 50ms);

	EXPECT_EQ(loop.next().kind, kmld::EventLoop::Wakeup::tick);
	uint64_t one = 1;
	ASSERT_EQ(::write(ev.get(), &one, sizeof(one)), 8);
	EXPECT_EQ(loop.next().kind, kmld::EventLoop::Wakeup::samples);
	ASSERT_EQ(::read(ev.get(), &one, sizeof(one)), 8);

	::kill(::getpid(), SIGHUP);	// blocked: it waits in the signalfd
	EXPECT_TRUE(loop.signal_pending());
	auto w = loop.next();
	EXPECT_EQ(w.kind, kmld::EventLoop::Wakeup::signal);
	EXPECT_EQ(w.signo, SIGHUP);
	EXPECT_FALSE(loop.signal_pending());
}

std::string kmld_cmd(const TempDir &dir, const std::string &args)
{
	return fmt::format("{} --replay {} --registry {} --lock {} {}", KMLD_PATH, dir / "s.csv",
			   dir / "reg", dir / "kmld.lock", args);
}

// 5000 noisy samples of a known law in dir/s.csv: enough to beat the baselines.
void write_learnable_samples(const TempDir &dir)
{
	kml_test::write_csv(dir / "s.csv",
			    kml_test::synthetic_samples(5000, kml_test::linear_law, 1, 0.2));
}

nlohmann::json read_report(const TempDir &dir)
{
	return nlohmann::json::parse(kml::read_file(dir / "r.json"));
}

TEST(KmldOnce, ReplayTrainsPushesAndReports)
{
	TempDir dir;
	write_learnable_samples(dir);

	auto r = kml_test::run(kmld_cmd(dir, "--once --duration 0.5 --min-samples 100 "
					     "--target-us 45 --push-policy better --metrics " +
					     dir / "kmld.prom" + " --report " + dir / "r.json"));
	ASSERT_EQ(r.status, 0) << r.out;
	auto j = read_report(dir);
	EXPECT_EQ(j["samples"], 5000);
	EXPECT_EQ(j["train_samples"], 4000);
	EXPECT_EQ(j["heldout_samples"], 1000);
	EXPECT_GT(j["accuracy"].get<double>(), j["majority_accuracy"].get<double>());
	EXPECT_LT(j["mae_log2us"].get<double>(), j["mean_predictor_mae"].get<double>());
	EXPECT_GT(j["r2"].get<double>(), 0.9);
	EXPECT_GT(j["float_agreement"].get<double>(), 0.99);
	EXPECT_TRUE(j["running_model_accuracy"].is_null());
	EXPECT_TRUE(j["pushed"]);
	EXPECT_EQ(j["pushed_version"], 1);
	EXPECT_EQ(j["registry_entry"], "kmld/1");

	auto e = kml::Registry(dir / "reg").load("kmld");
	EXPECT_EQ(e.meta["metrics"]["heldout_samples"], 1000);
	EXPECT_NE(kml::read_file(dir / "kmld.prom").find("kmld_pushes_total 1\n"), std::string::npos);
}

// Online rounds while collecting are recorded in the report's history and
// never pushed; the final round is, per policy.
TEST(KmldOnce, IntervalRoundsMakeAHistory)
{
	TempDir dir;
	write_learnable_samples(dir);

	auto r = kml_test::run(kmld_cmd(dir, "--once --duration 1.3 --interval 0.5 --min-samples 100 "
					     "--target-us 45 --push-policy always --report " +
					     dir / "r.json"));
	ASSERT_EQ(r.status, 0) << r.out;
	auto j = read_report(dir);
	const auto &h = j["history"];
	ASSERT_GE(h.size(), 3u) << j.dump(1);
	for (size_t i = 0; i + 1 < h.size(); i++) {
		EXPECT_FALSE(h[i]["pushed"]) << i;
		EXPECT_EQ(h[i]["why"], "interval");
		EXPECT_LT(h[i]["t_s"].get<double>(), h[i + 1]["t_s"].get<double>());
	}
	EXPECT_TRUE(h.back()["pushed"]);
	EXPECT_EQ(h.back()["why"], "--once");
	EXPECT_EQ(h.back()["accuracy"], j["accuracy"]);
	EXPECT_EQ(j["pushed_version"], 1);
}

TEST(KmldOnce, TooFewSamplesIsNoError)
{
	TempDir dir;
	kml_test::write_csv(dir / "s.csv", kml_test::synthetic_samples(50, kml_test::linear_law));

	auto r = kml_test::run(kmld_cmd(dir, "--once --duration 0.2 --report " + dir / "r.json"));
	ASSERT_EQ(r.status, 0) << r.out;
	auto j = read_report(dir);
	EXPECT_FALSE(j["pushed"]);
	EXPECT_TRUE(j["accuracy"].is_null());
	EXPECT_NE(j["reason"].get<std::string>().find("--min-samples"), std::string::npos);
}

// kmld --foreground in the background; returns its pid.
pid_t spawn_kmld(const TempDir &dir)
{
	std::vector<std::string> args = {KMLD_PATH, "--foreground", "--replay", dir / "s.csv",
					 "--registry", dir / "reg", "--lock", dir / "kmld.lock",
					 "--log", dir / "kmld.log"};
	std::vector<char *> argv;
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	pid_t pid = -1;
	EXPECT_EQ(::posix_spawn(&pid, KMLD_PATH, nullptr, nullptr, argv.data(), environ), 0);
	return pid;
}

bool wait_for_log(const TempDir &dir, const std::string &what)
{
	for (int i = 0; i < 100; i++, std::this_thread::sleep_for(50ms))
		if (std::filesystem::exists(dir / "kmld.log") &&
		    kml::read_file(dir / "kmld.log").find(what) != std::string::npos)
			return true;
	return false;
}

TEST(KmldDaemon, SigtermStopsItWithinASecond)
{
	TempDir dir;
	kml_test::write_csv(dir / "s.csv", kml_test::synthetic_samples(2000, kml_test::linear_law));
	pid_t pid = spawn_kmld(dir);
	ASSERT_TRUE(wait_for_log(dir, "reading replay:"));

	auto t0 = std::chrono::steady_clock::now();
	::kill(pid, SIGTERM);
	int status = 0;
	ASSERT_EQ(::waitpid(pid, &status, 0), pid);
	EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
	EXPECT_NE(kml::read_file(dir / "kmld.log").find("exiting: 2000 samples consumed"),
		  std::string::npos) << kml::read_file(dir / "kmld.log");
}

TEST(KmldDaemon, SecondInstanceIsRefused)
{
	TempDir dir;
	kml_test::write_csv(dir / "s.csv", kml_test::synthetic_samples(10, kml_test::linear_law));
	pid_t pid = spawn_kmld(dir);
	ASSERT_TRUE(wait_for_log(dir, "reading replay:"));

	auto r = kml_test::run(kmld_cmd(dir, "--foreground"));
	EXPECT_EQ(r.status, 9) << r.out;
	EXPECT_NE(r.out.find(fmt::format("another kmld is running (pid {}", pid)), std::string::npos)
		<< r.out;
	::kill(pid, SIGTERM);
	::waitpid(pid, nullptr, 0);
}

TEST(KmldCli, ConfigFileSetsFlags)
{
	TempDir dir;
	kml_test::write_csv(dir / "s.csv", kml_test::synthetic_samples(1000, kml_test::linear_law));
	std::ofstream(dir / "kmld.toml") << "model = \"mlp\"\npush-policy = \"never\"\n"
					    "min-samples = 100\nepochs = 2\n";

	auto r = kml_test::run(kmld_cmd(dir, "--once --duration 0.2 --config " + dir / "kmld.toml" +
					     " --report " + dir / "r.json"));
	ASSERT_EQ(r.status, 0) << r.out;
	auto j = read_report(dir);
	EXPECT_EQ(j["model"], "mlp");
	EXPECT_EQ(j["reason"], "push policy is 'never'");
	EXPECT_FALSE(j["pushed"]);
}

TEST(KmldCli, BadFlagsAreUsageErrors)
{
	EXPECT_EQ(kml_test::run(std::string(KMLD_PATH) + " --model tree").status, 2);
	EXPECT_EQ(kml_test::run(std::string(KMLD_PATH) + " --help").status, 0);
}

} // namespace
