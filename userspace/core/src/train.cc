// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <kml/train.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace kml {

namespace {

// Q16 keeps 1/65536 of resolution: a feature that varies less than this
// carries no signal the kernel could see, and a larger inv_std would saturate.
constexpr double max_inv_std = 1024;
// How many SGD steps (or least-squares rows) run between two calls of KeepGoing.
constexpr uint64_t steps_per_yield = 2048;

struct LabelScale {
	double mean = 0, sd = 1;
};

LabelScale label_scale(const std::vector<double> &y)
{
	LabelScale s;
	double sq = 0;

	s.mean = std::accumulate(y.begin(), y.end(), 0.0) / double(y.size());
	for (double v : y)
		sq += (v - s.mean) * (v - s.mean);
	s.sd = std::sqrt(sq / double(y.size()));
	if (s.sd < 1e-6)
		s.sd = 1;
	return s;
}

void fit_inputs(FloatModel &m, const Dataset &d)
{
	m.fit_standardization(d.x);
	for (auto &v : m.inv_std)
		v = std::min(v, max_inv_std);
}

std::vector<double> standardized(const FloatModel &m, const std::vector<double> &x)
{
	std::vector<double> z(x.size());

	for (size_t i = 0; i < x.size(); i++)
		z[i] = (x[i] - m.mean[i]) * m.inv_std[i];
	return z;
}

// The output layer learnt z = (y - mean) / sd: make it predict y.
void unscale_output(FloatLayer &out, const LabelScale &s)
{
	for (auto &w : out.w)
		w *= s.sd;
	for (auto &b : out.b)
		b = b * s.sd + s.mean;
}

// Solve A x = b for symmetric positive definite A (n x n, row-major).
std::vector<double> cholesky_solve(std::vector<double> a, std::vector<double> b, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		for (size_t k = 0; k < j; k++)
			a[j * n + j] -= a[j * n + k] * a[j * n + k];
		if (a[j * n + j] <= 0)
			throw std::runtime_error("least squares: matrix not positive definite");
		a[j * n + j] = std::sqrt(a[j * n + j]);
		for (size_t i = j + 1; i < n; i++) {
			for (size_t k = 0; k < j; k++)
				a[i * n + j] -= a[i * n + k] * a[j * n + k];
			a[i * n + j] /= a[j * n + j];
		}
	}
	for (size_t i = 0; i < n; i++) {	// L y = b
		for (size_t k = 0; k < i; k++)
			b[i] -= a[i * n + k] * b[k];
		b[i] /= a[i * n + i];
	}
	for (size_t i = n; i-- > 0;) {		// L^T x = y
		for (size_t k = i + 1; k < n; k++)
			b[i] -= a[k * n + i] * b[k];
		b[i] /= a[i * n + i];
	}
	return b;
}

// Ridge regression in closed form: the exact least-squares fit of the whole
// window, which is what recursive least squares converges to, without its
// numerical drift. The bias (last column) is not penalized.
std::optional<FloatModel> train_linear(const Dataset &d, const TrainOptions &opt,
				       const KeepGoing &keep_going)
{
	auto m = FloatModel::make(KML_MODEL_LINEAR, {KML_NR_FEATURES, 1}, KML_ACT_NONE,
				  KML_ACT_NONE, opt.seed);
	const size_t n = KML_NR_FEATURES + 1;
	std::vector<double> ata(n * n, 0), atb(n, 0);
	LabelScale s = label_scale(d.y);

	fit_inputs(m, d);
	for (size_t r = 0; r < d.size(); r++) {
		auto z = standardized(m, d.x[r]);
		z.push_back(1);
		double t = (d.y[r] - s.mean) / s.sd;
		if ((r + 1) % steps_per_yield == 0 && keep_going && !keep_going())
			return std::nullopt;
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < n; j++)
				ata[i * n + j] += z[i] * z[j];
			atb[i] += z[i] * t;
		}
	}
	for (size_t i = 0; i + 1 < n; i++)
		ata[i * n + i] += opt.ridge * double(d.size());
	ata[n * n - 1] += 1e-9;
	auto coef = cholesky_solve(std::move(ata), std::move(atb), n);

	FloatLayer &out = m.layers.front();
	std::copy(coef.begin(), coef.end() - 1, out.w.begin());
	out.b[0] = coef.back();
	unscale_output(out, s);
	return m;
}

// Plain SGD, one sample per step, shuffled every epoch; the output bias
// starts at 0 = the mean label, so the first epoch is not spent finding it.
std::optional<FloatModel> train_mlp(const Dataset &d, const TrainOptions &opt,
				    const KeepGoing &keep_going)
{
	auto m = FloatModel::make(KML_MODEL_MLP, {KML_NR_FEATURES, opt.hidden, 1},
				  KML_ACT_RELU, KML_ACT_NONE, opt.seed);
	LabelScale s = label_scale(d.y);
	std::vector<size_t> order(d.size());
	std::mt19937_64 rng(opt.seed);
	uint64_t steps = 0;

	fit_inputs(m, d);
	std::iota(order.begin(), order.end(), 0);
	for (unsigned epoch = 0; epoch < opt.epochs && steps < opt.max_steps; epoch++) {
		double lr = opt.learning_rate / (1 + epoch / 4.0);

		std::shuffle(order.begin(), order.end(), rng);
		for (size_t i : order) {
			double t = (d.y[i] - s.mean) / s.sd;
			m.train_step(d.x[i], std::span(&t, 1), lr);
			if (++steps % steps_per_yield == 0 && keep_going && !keep_going())
				return std::nullopt;
			if (steps >= opt.max_steps)
				break;
		}
	}
	unscale_output(m.layers.back(), s);
	return m;
}

} // namespace

std::string_view to_string(ModelKind kind)
{
	return kind == ModelKind::linear ? "linear" : "mlp";
}

ModelKind model_kind_from(std::string_view name)
{
	if (name == "linear")
		return ModelKind::linear;
	if (name == "mlp")
		return ModelKind::mlp;
	throw std::invalid_argument("unknown model kind '" + std::string(name) +
				    "' (linear or mlp)");
}

std::optional<FloatModel> train(const Dataset &d, const TrainOptions &opt,
				const KeepGoing &keep_going)
{
	if (d.size() == 0)
		throw std::invalid_argument("no samples to train on");
	if (opt.kind == ModelKind::linear)
		return train_linear(d, opt, keep_going);
	return train_mlp(d, opt, keep_going);
}

double mean_squared_error(const FloatModel &m, const Dataset &d)
{
	double sum = 0;

	for (size_t i = 0; i < d.size(); i++) {
		double e = m.predict(d.x[i])[0] - d.y[i];
		sum += e * e;
	}
	return d.size() ? sum / double(d.size()) : 0;
}

} // namespace kml
