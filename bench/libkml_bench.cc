// SPDX-License-Identifier: GPL-2.0 OR MIT
// libkml benchmarks: ns per inference, op throughput, and the reduce /
// repeat / tile shapes of shapes.txt (scripts/bench-libkml.sh compares
// them with NumPy).
#include <benchmark/benchmark.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <kml/kml.hpp>

namespace {

std::vector<int32_t> random_q16(size_t n, double lim, uint64_t seed)
{
	std::mt19937_64 rng(seed);
	std::uniform_real_distribution<double> u(-lim, lim);
	std::vector<int32_t> v(n);

	for (auto &x : v)
		x = kml::to_q16(u(rng));
	return v;
}

void bm_predict(benchmark::State &state, std::vector<uint32_t> widths, kml_wtype wtype)
{
	auto kind = widths.size() == 2 ? KML_MODEL_LINEAR : KML_MODEL_MLP;
	auto f = kml::FloatModel::make(kind, widths, KML_ACT_RELU, KML_ACT_NONE, 1);
	int err = 0;
	auto m = kml::Model::load(kml::to_blob(f, wtype), err);
	auto x = random_q16(64 * widths[0], 3, 2);
	int32_t y[KML_MAX_OUTPUTS];
	kml_work work;
	size_t i = 0;

	if (!m) {
		state.SkipWithError(kml_blob_strerror(err));
		return;
	}
	for (auto _ : state) {
		kml_model_predict(m->get(), &x[(i++ % 64) * widths[0]], y, &work);
		benchmark::DoNotOptimize(y);
	}
	state.SetItemsProcessed(state.iterations());
}

void bm_matvec(benchmark::State &state)
{
	uint32_t rows = uint32_t(state.range(0)), cols = uint32_t(state.range(1));
	auto w = random_q16(size_t(rows) * cols, 2, 3), x = random_q16(cols, 2, 4);
	std::vector<int32_t> y(rows);

	for (auto _ : state) {
		kml_matvec(w.data(), nullptr, x.data(), y.data(), rows, cols);
		benchmark::DoNotOptimize(y.data());
	}
	state.SetItemsProcessed(state.iterations() * rows * cols); // MACs
}

void bm_elementwise(benchmark::State &state, int op)
{
	const uint32_t n = 4096;
	auto a = random_q16(n, 8, 5), b = random_q16(n, 8, 6);
	std::vector<int32_t> y(n);

	for (auto _ : state) {
		switch (op) {
		case 0:
			kml_mul(a.data(), b.data(), y.data(), n);
			break;
		case 1:
			y = a;
			kml_activate(y.data(), n, KML_ACT_SIGMOID);
			break;
		default:
			kml_standardize(a.data(), b.data(), b.data(), y.data(), n);
			break;
		}
		benchmark::DoNotOptimize(y.data());
	}
	state.SetItemsProcessed(state.iterations() * n);
}

void bm_blob_check(benchmark::State &state)
{
	auto f = kml::FloatModel::make(KML_MODEL_MLP, {16, 64, 64, 4}, KML_ACT_RELU, KML_ACT_NONE, 7);
	auto blob = kml::to_blob(f, KML_WTYPE_Q16);
	size_t size;

	for (auto _ : state)
		benchmark::DoNotOptimize(kml_blob_check(blob.data(), blob.size(), &size));
	state.SetBytesProcessed(state.iterations() * int64_t(blob.size()));
}

std::vector<uint32_t> parse_list(const std::string &s)
{
	std::vector<uint32_t> v;
	std::stringstream in(s);
	std::string item;

	while (std::getline(in, item, ','))
		v.push_back(uint32_t(std::stoul(item)));
	return v;
}

// One line of shapes.txt: "op shape args", e.g. "sum 64,64,64 0,2".
void bm_shape(benchmark::State &state, std::string op, std::vector<uint32_t> shape, std::vector<uint32_t> args)
{
	kml::Tensor t(shape);
	auto v = random_q16(t.size(), 100, 8);
	std::ranges::copy(v, t.data().begin());
	kml_tensor view = t.view();
	size_t out_len = t.size();
	uint32_t axes = 0;

	for (size_t k = 0; k < args.size(); k++) {
		if (op == "repeat" || op == "tile")
			out_len *= args[k];
		else
			axes |= 1u << args[k];
	}
	std::vector<int32_t> out(out_len);
	kml_reduce_op rop = op == "max" ? KML_REDUCE_MAX : op == "mean" ? KML_REDUCE_MEAN : KML_REDUCE_SUM;
	for (auto _ : state) {
		int n = op == "repeat" ? kml_repeat(&view, args.data(), out.data(), out.size())
			: op == "tile" ? kml_tile(&view, args.data(), out.data(), out.size())
				       : kml_reduce(&view, axes, rop, out.data(), out.size());
		if (n <= 0) {
			state.SkipWithError("bad shape");
			break;
		}
		benchmark::DoNotOptimize(out.data());
	}
	state.SetItemsProcessed(state.iterations() * int64_t(t.size()));
}

void register_shapes(const char *path)
{
	std::ifstream in(path);
	std::string line;

	while (std::getline(in, line)) {
		std::stringstream ls(line);
		std::string op, shape, args;

		if (line.empty() || line[0] == '#' || !(ls >> op >> shape >> args))
			continue;
		benchmark::RegisterBenchmark(("shape/" + op + "/" + shape + "/" + args).c_str(), bm_shape, op,
					     parse_list(shape), parse_list(args));
	}
}

} // namespace

BENCHMARK_CAPTURE(bm_predict, linear_8_1, {8, 1}, KML_WTYPE_Q16);
BENCHMARK_CAPTURE(bm_predict, mlp_8_16_1, {8, 16, 1}, KML_WTYPE_Q16);
BENCHMARK_CAPTURE(bm_predict, mlp_8_16_1_int8, {8, 16, 1}, KML_WTYPE_I8);
BENCHMARK_CAPTURE(bm_predict, mlp_8_32_16_1, {8, 32, 16, 1}, KML_WTYPE_Q16);
BENCHMARK_CAPTURE(bm_predict, mlp_8_32_16_1_int8, {8, 32, 16, 1}, KML_WTYPE_I8);
BENCHMARK(bm_matvec)->Args({16, 8})->Args({64, 64});
BENCHMARK_CAPTURE(bm_elementwise, mul_4096, 0);
BENCHMARK_CAPTURE(bm_elementwise, sigmoid_4096, 1);
BENCHMARK_CAPTURE(bm_elementwise, standardize_4096, 2);
BENCHMARK(bm_blob_check);

int main(int argc, char **argv)
{
	const char *shapes = std::getenv("KML_BENCH_SHAPES");

	register_shapes(shapes ? shapes : KML_BENCH_SHAPES);
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
