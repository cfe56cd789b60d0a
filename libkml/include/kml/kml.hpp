// SPDX-License-Identifier: GPL-2.0 OR MIT
// libkml for C++20 user space: RAII tensors, float <-> fixed conversion,
// float reference models (to train, and to check the quantized ones) and
// blob serialization. Header-only over the C library (kml_lib).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <utility>
#include <vector>

extern "C" {
#include <kml/blob.h>
#include <kml/tensor.h>
}

namespace kml {

inline int32_t to_q16(double v)
{
	double q = std::round(v * KML_Q16_ONE);

	return static_cast<int32_t>(std::clamp(q, double(KML_Q16_MIN), double(KML_Q16_MAX)));
}

inline double from_q16(int32_t q) { return q / double(KML_Q16_ONE); }

// real > 0 as mult * 2^(shift - 31), mult in [2^30, 2^31).
inline kml_qmul to_qmul(double real)
{
	int e = 0;
	double m = std::frexp(real, &e);
	auto mult = std::llround(std::ldexp(m, 31));

	if (mult == (1LL << 31)) {
		mult /= 2;
		e++;
	}
	return {static_cast<int32_t>(mult), e};
}

inline double from_qmul(const kml_qmul &q) { return std::ldexp(q.mult, q.shift - 31); }

// A contiguous tensor that owns its storage and lends C views of it.
class Tensor {
public:
	explicit Tensor(std::vector<uint32_t> shape) : shape_(std::move(shape))
	{
		size_t n = 1;

		for (auto d : shape_)
			n *= d;
		data_.assign(n, 0);
	}

	static Tensor from_double(std::vector<uint32_t> shape, std::span<const double> v)
	{
		Tensor t(std::move(shape));

		std::ranges::transform(v.first(t.size()), t.data_.begin(), to_q16);
		return t;
	}

	kml_tensor view()
	{
		kml_tensor v{};

		kml_tensor_init(&v, data_.data(), uint32_t(shape_.size()), shape_.data());
		return v;
	}

	const std::vector<uint32_t> &shape() const { return shape_; }
	size_t size() const { return data_.size(); }
	std::span<int32_t> data() { return data_; }
	std::span<const int32_t> data() const { return data_; }
	int32_t &operator[](size_t i) { return data_[i]; }
	int32_t operator[](size_t i) const { return data_[i]; }

private:
	std::vector<uint32_t> shape_;
	std::vector<int32_t> data_;
};

inline double act_ref(kml_act act, double x)
{
	switch (act) {
	case KML_ACT_RELU:
		return x > 0 ? x : 0;
	case KML_ACT_SIGMOID:
		return 1 / (1 + std::exp(-x));
	case KML_ACT_TANH:
		return std::tanh(x);
	default:
		return x;
	}
}

// d act / dx, from the activation's output y.
inline double act_grad(kml_act act, double y)
{
	switch (act) {
	case KML_ACT_RELU:
		return y > 0 ? 1 : 0;
	case KML_ACT_SIGMOID:
		return y * (1 - y);
	case KML_ACT_TANH:
		return 1 - y * y;
	default:
		return 1;
	}
}

struct FloatLayer {
	uint32_t n_in = 0, n_out = 0;
	kml_act act = KML_ACT_NONE;
	std::vector<double> w; // [n_out][n_in]
	std::vector<double> b;
};

// The double-precision twin of a kml_model: same structure, same maths.
struct FloatModel {
	kml_model_kind kind = KML_MODEL_LINEAR;
	std::vector<double> mean, inv_std;
	std::vector<FloatLayer> layers;

	// widths = {n_in, hidden..., n_out}; weights uniform in +-1/sqrt(n_in).
	static FloatModel make(kml_model_kind kind, std::vector<uint32_t> widths,
			       kml_act hidden_act, kml_act out_act, uint64_t seed)
	{
		FloatModel m;
		std::mt19937_64 rng(seed);

		m.kind = kind;
		m.mean.assign(widths[0], 0);
		m.inv_std.assign(widths[0], 1);
		for (size_t l = 0; l + 1 < widths.size(); l++) {
			FloatLayer ly{widths[l], widths[l + 1],
				      l + 2 < widths.size() ? hidden_act : out_act, {}, {}};
			double r = 1 / std::sqrt(double(ly.n_in));

			// not uniform_real_distribution: its output is not standard
			ly.w.resize(size_t(ly.n_in) * ly.n_out);
			for (auto &w : ly.w)
				w = (std::ldexp(double(rng() >> 11), -52) - 1) * r;
			ly.b.assign(ly.n_out, 0);
			m.layers.push_back(std::move(ly));
		}
		return m;
	}

	uint32_t n_in() const { return layers.front().n_in; }
	uint32_t n_out() const { return layers.back().n_out; }

	// Outputs of every stage: [0] standardized input, then each layer.
	std::vector<std::vector<double>> forward(std::span<const double> x) const
	{
		std::vector<std::vector<double>> a(1);

		for (size_t i = 0; i < n_in(); i++)
			a[0].push_back((x[i] - mean[i]) * inv_std[i]);
		for (const auto &ly : layers) {
			std::vector<double> y(ly.n_out);

			for (size_t r = 0; r < ly.n_out; r++) {
				double s = ly.b[r];

				for (size_t c = 0; c < ly.n_in; c++)
					s += ly.w[r * ly.n_in + c] * a.back()[c];
				y[r] = act_ref(ly.act, s);
			}
			a.push_back(std::move(y));
		}
		return a;
	}

	std::vector<double> predict(std::span<const double> x) const { return forward(x).back(); }

	// One SGD step on the squared error; returns the loss before the step.
	double train_step(std::span<const double> x, std::span<const double> target, double lr)
	{
		auto a = forward(x);
		std::vector<double> delta(n_out());
		double loss = 0;

		for (size_t i = 0; i < n_out(); i++) {
			double e = a.back()[i] - target[i];

			loss += e * e / 2;
			delta[i] = e * act_grad(layers.back().act, a.back()[i]);
		}
		for (size_t l = layers.size(); l-- > 0;) {
			auto &ly = layers[l];
			std::vector<double> back(ly.n_in, 0);

			for (size_t r = 0; r < ly.n_out; r++) {
				for (size_t c = 0; c < ly.n_in; c++) {
					back[c] += ly.w[r * ly.n_in + c] * delta[r];
					ly.w[r * ly.n_in + c] -= lr * delta[r] * a[l][c];
				}
				ly.b[r] -= lr * delta[r];
			}
			if (l > 0)
				for (size_t c = 0; c < ly.n_in; c++)
					back[c] *= act_grad(layers[l - 1].act, a[l][c]);
			delta = std::move(back);
		}
		return loss;
	}

	// Set mean and inverse std from samples (rows of n_in features).
	void fit_standardization(const std::vector<std::vector<double>> &xs)
	{
		for (size_t i = 0; i < n_in(); i++) {
			double s = 0, s2 = 0;

			for (const auto &x : xs) {
				s += x[i];
				s2 += x[i] * x[i];
			}
			mean[i] = s / double(xs.size());
			double var = s2 / double(xs.size()) - mean[i] * mean[i];
			inv_std[i] = var > 1e-12 ? 1 / std::sqrt(var) : 1;
		}
	}
};

namespace detail {

inline void put_le(std::vector<uint8_t> &out, uint32_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out.push_back(uint8_t(v >> (8 * i)));
}

// A layer's int8 weights and their scale: symmetric, max |w| -> 127.
inline std::pair<std::vector<int8_t>, kml_qmul> quantize_i8(const std::vector<double> &w)
{
	double amax = 0;

	for (auto v : w)
		amax = std::max(amax, std::fabs(v));
	double scale = amax > 0 ? amax / 127 : 1.0 / 127;
	std::vector<int8_t> q;
	for (auto v : w)
		q.push_back(int8_t(std::clamp<long>(std::lround(v / scale), -127, 127)));
	return {q, to_qmul(scale)};
}

} // namespace detail

// Quantize and serialize, with the CRC. Q16 weights are clamped to
// +-KML_MAX_WEIGHT; compare the loaded model with the float one to know
// what quantization cost.
inline std::vector<uint8_t> to_blob(const FloatModel &m, kml_wtype wtype,
				    uint32_t model_version = 0)
{
	std::vector<uint8_t> h, p;
	std::vector<std::pair<std::vector<int8_t>, kml_qmul>> q8;
	uint32_t dims[KML_MAX_LAYERS + 1] = {m.n_in()};

	for (size_t l = 0; l < m.layers.size(); l++) {
		dims[l + 1] = m.layers[l].n_out;
		if (wtype == KML_WTYPE_I8)
			q8.push_back(detail::quantize_i8(m.layers[l].w));
	}
	for (auto v : m.mean)
		detail::put_le(p, uint32_t(to_q16(v)), 4);
	for (auto v : m.inv_std)
		detail::put_le(p, uint32_t(to_q16(v)), 4);
	for (size_t l = 0; l < m.layers.size(); l++) {
		for (auto v : m.layers[l].b)
			detail::put_le(p, uint32_t(to_q16(v)), 4);
		if (wtype == KML_WTYPE_I8) {
			for (auto v : q8[l].first)
				p.push_back(uint8_t(v));
			while (p.size() % 4)
				p.push_back(0);
			continue;
		}
		for (auto v : m.layers[l].w)
			detail::put_le(p, uint32_t(std::clamp(to_q16(v), -KML_MAX_WEIGHT, KML_MAX_WEIGHT)), 4);
	}

	detail::put_le(h, KML_BLOB_MAGIC, 4);
	detail::put_le(h, KML_BLOB_VERSION, 2);
	detail::put_le(h, sizeof(kml_blob_header), 2);
	h.insert(h.end(), {uint8_t(m.kind), uint8_t(wtype), KML_BLOB_FRAC_BITS,
			   uint8_t(m.layers.size())});
	for (auto d : dims)
		detail::put_le(h, d, 2);
	h.push_back(m.layers.size() > 1 ? m.layers.front().act : KML_ACT_NONE);
	h.push_back(m.layers.back().act);
	detail::put_le(h, 0, 2);
	detail::put_le(h, model_version, 4);
	detail::put_le(h, uint32_t(p.size()), 4);
	for (size_t l = 0; l < KML_MAX_LAYERS; l++)
		detail::put_le(h, l < q8.size() ? uint32_t(q8[l].second.mult) : 0, 4);
	for (size_t l = 0; l < KML_MAX_LAYERS; l++)
		h.push_back(l < q8.size() ? uint8_t(q8[l].second.shift) : 0);
	h.resize(sizeof(kml_blob_header), 0); // reserved and crc32
	h.insert(h.end(), p.begin(), p.end());
	uint32_t crc = kml_crc32(0, h.data(), h.size());
	for (size_t i = 0; i < 4; i++)
		h[offsetof(kml_blob_header, crc32) + i] = uint8_t(crc >> (8 * i));
	return h;
}

// A loaded, validated fixed-point model in storage it owns.
class Model {
public:
	// The blob's kml_blob_err code goes to err when loading fails.
	static std::optional<Model> load(std::span<const uint8_t> blob, int &err)
	{
		size_t size = 0;
		Model m;

		err = kml_blob_check(blob.data(), blob.size(), &size);
		if (err)
			return std::nullopt;
		m.buf_.resize((size + 7) / 8);
		err = kml_blob_load(m.mut(), size, blob.data(), blob.size());
		if (err)
			return std::nullopt;
		return m;
	}

	Model(Model &&) = default;
	Model &operator=(Model &&) = default;
	Model(const Model &) = delete; // the model points into its own buffer
	Model &operator=(const Model &) = delete;

	const kml_model *get() const { return reinterpret_cast<const kml_model *>(buf_.data()); }

	std::vector<int32_t> predict(std::span<const int32_t> x) const
	{
		std::vector<int32_t> y(get()->n_out);
		kml_work work;

		kml_model_predict(get(), x.data(), y.data(), &work);
		return y;
	}

	std::vector<double> predict(std::span<const double> x) const
	{
		std::vector<int32_t> q(x.size());
		std::vector<double> y;

		std::ranges::transform(x, q.begin(), to_q16);
		for (auto v : predict(std::span<const int32_t>(q)))
			y.push_back(from_q16(v));
		return y;
	}

	// The exact real-valued model that the fixed-point one computes.
	FloatModel to_float() const
	{
		const kml_model *m = get();
		FloatModel f;

		f.kind = kml_model_kind(m->kind);
		for (size_t i = 0; i < m->n_in; i++) {
			f.mean.push_back(from_q16(m->mean[i]));
			f.inv_std.push_back(from_q16(m->inv_std[i]));
		}
		for (size_t l = 0; l < m->n_layers; l++) {
			const kml_layer &ly = m->layer[l];
			FloatLayer fl{ly.n_in, ly.n_out, kml_act(ly.act), {}, {}};

			for (size_t i = 0; i < size_t(ly.n_in) * ly.n_out; i++)
				fl.w.push_back(ly.w8 ? ly.w8[i] * from_qmul(ly.scale) : from_q16(ly.w[i]));
			for (size_t i = 0; i < ly.n_out; i++)
				fl.b.push_back(from_q16(ly.bias[i]));
			f.layers.push_back(std::move(fl));
		}
		return f;
	}

private:
	Model() = default;
	kml_model *mut() { return reinterpret_cast<kml_model *>(buf_.data()); }

	std::vector<uint64_t> buf_; // 8-byte aligned for the struct
};

} // namespace kml
