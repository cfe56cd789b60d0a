// SPDX-License-Identifier: GPL-2.0 OR MIT
// Multi-axis reduce, repeat and tile on random shapes and strided views,
// against element-by-element references (numpy semantics).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <kml/kml.hpp>

namespace {

// Offset of the element at multi-index idx of view t.
size_t offset(const kml_tensor &t, const std::vector<uint32_t> &idx)
{
	size_t off = 0;

	for (uint32_t k = 0; k < t.ndim; k++)
		off += size_t(idx[k]) * t.stride[k];
	return off;
}

// Visit every multi-index of t in row-major order.
template <typename F> void for_each_index(const kml_tensor &t, F f)
{
	std::vector<uint32_t> idx(t.ndim, 0);

	for (;;) {
		f(idx);
		int k = int(t.ndim) - 1;
		while (k >= 0 && ++idx[k] == t.dim[k])
			idx[k--] = 0;
		if (k < 0)
			return;
	}
}

std::vector<int32_t> ref_reduce(const kml_tensor &t, uint32_t axes, kml_reduce_op op)
{
	std::vector<int64_t> acc;
	std::vector<size_t> count;

	for_each_index(t, [&](const std::vector<uint32_t> &idx) {
		size_t o = 0;
		for (uint32_t k = 0; k < t.ndim; k++)
			if (!(axes >> k & 1))
				o = o * t.dim[k] + idx[k];
		if (o >= acc.size()) {
			acc.resize(o + 1, op == KML_REDUCE_MAX ? INT64_MIN : 0);
			count.resize(o + 1, 0);
		}
		int32_t v = t.data[offset(t, idx)];
		acc[o] = op == KML_REDUCE_MAX ? std::max<int64_t>(acc[o], v) : acc[o] + v;
		count[o]++;
	});
	std::vector<int32_t> out;
	for (size_t o = 0; o < acc.size(); o++) {
		double v = op == KML_REDUCE_MEAN ? std::round(double(acc[o]) / double(count[o])) : double(acc[o]);
		out.push_back(int32_t(std::clamp(v, double(KML_Q16_MIN), double(KML_Q16_MAX))));
	}
	return out;
}

std::vector<int32_t> ref_expand(const kml_tensor &t, const std::vector<uint32_t> &reps, bool tile)
{
	kml_tensor o{nullptr, t.ndim, {}, {}};
	std::vector<int32_t> out;

	for (uint32_t k = 0; k < t.ndim; k++)
		o.dim[k] = t.dim[k] * reps[k];
	for_each_index(o, [&](const std::vector<uint32_t> &oi) {
		std::vector<uint32_t> idx(t.ndim);
		for (uint32_t k = 0; k < t.ndim; k++)
			idx[k] = tile ? oi[k] % t.dim[k] : oi[k] / reps[k];
		out.push_back(t.data[offset(t, idx)]);
	});
	return out;
}

// A random view: a contiguous tensor, maybe with two axes swapped, maybe
// every other element of one axis.
kml_tensor random_view(std::mt19937_64 &rng, std::vector<int32_t> &store)
{
	uint32_t nd = 1 + rng() % KML_MAX_DIMS, dim[KML_MAX_DIMS];
	kml_tensor t{};

	for (uint32_t k = 0; k < nd; k++)
		dim[k] = 1 + rng() % 7;
	store.resize(4 * 7 * 7 * 7 * 7);
	for (auto &v : store)
		v = rng() % 4 ? int32_t(rng() % 2000001) - 1000000 : int32_t(rng());
	kml_tensor_init(&t, store.data(), nd, dim);
	if (nd > 1 && rng() % 2) {
		uint32_t a = rng() % nd, b = rng() % nd;
		std::swap(t.dim[a], t.dim[b]);
		std::swap(t.stride[a], t.stride[b]);
	}
	if (rng() % 3 == 0) {
		uint32_t k = rng() % nd;
		t.stride[k] *= 2;
		for (uint32_t j = 0; j < nd; j++)
			if (j != k && t.stride[j] > t.stride[k] / 2)
				t.stride[j] *= 2;
	}
	return t;
}

} // namespace

TEST(Tensor, ReduceRandomShapesAndViewsExact)
{
	std::mt19937_64 rng(20);
	std::vector<int32_t> store, out(4096);

	for (int iter = 0; iter < 3000; iter++) {
		kml_tensor t = random_view(rng, store);
		uint32_t axes = rng() % (1u << t.ndim);
		auto op = kml_reduce_op(rng() % 3);
		auto ref = ref_reduce(t, axes, op);
		int n = kml_reduce(&t, axes, op, out.data(), out.size());

		ASSERT_EQ(n, int(ref.size()));
		ASSERT_EQ(std::vector<int32_t>(out.begin(), out.begin() + n), ref)
			<< "iter " << iter << " ndim " << t.ndim << " axes " << axes << " op " << op;
	}
}

// Shapes wide and long enough for the vector paths: full and narrow column
// tiles, contiguous runs with a tail, runs long enough to prefetch, every
// axis mask, contiguous and permuted and strided views.
TEST(Tensor, ReduceWideShapesExact)
{
	const std::vector<std::vector<uint32_t>> shapes = {
		{3, 300, 37}, {2, 4099}, {33, 31, 16}, {256, 17}, {5, 2, 3, 1030},
	};
	std::mt19937_64 rng(22);
	std::vector<int32_t> store(2 * 3 * 300 * 37 + 64), out(2 * 3 * 300 * 37);

	for (auto &v : store)
		v = rng() % 4 ? int32_t(rng() % 2000001) - 1000000 : int32_t(rng());
	for (const auto &shape : shapes) {
		uint32_t nd = uint32_t(shape.size());
		for (int view = 0; view < 3; view++) {
			kml_tensor t;
			ASSERT_EQ(kml_tensor_init(&t, store.data(), nd, shape.data()), 0);
			if (view == 1) { // first and last axes swapped
				std::swap(t.dim[0], t.dim[nd - 1]);
				std::swap(t.stride[0], t.stride[nd - 1]);
			} else if (view == 2) { // every other element of the last axis
				for (uint32_t k = 0; k < nd; k++)
					t.stride[k] *= 2;
			}
			for (uint32_t axes = 0; axes < 1u << nd; axes++) {
				for (auto op : {KML_REDUCE_SUM, KML_REDUCE_MAX, KML_REDUCE_MEAN}) {
					auto ref = ref_reduce(t, axes, op);
					int n = kml_reduce(&t, axes, op, out.data(), out.size());
					ASSERT_EQ(n, int(ref.size()));
					ASSERT_EQ(std::vector<int32_t>(out.begin(), out.begin() + n), ref)
						<< "shape " << ::testing::PrintToString(shape) << " view " << view
						<< " axes " << axes << " op " << op;
				}
			}
		}
	}
}

TEST(Tensor, ReduceSaturatesSum)
{
	std::vector<int32_t> v = {KML_Q16_MAX, KML_Q16_MAX, KML_Q16_MIN, KML_Q16_MIN, KML_Q16_MIN, 0};
	uint32_t dim[] = {3, 2};
	kml_tensor t;
	int32_t out[3];

	ASSERT_EQ(kml_tensor_init(&t, v.data(), 2, dim), 0);
	ASSERT_EQ(kml_reduce(&t, 0x2, KML_REDUCE_SUM, out, 3), 3);
	EXPECT_EQ(out[0], KML_Q16_MAX);
	EXPECT_EQ(out[1], KML_Q16_MIN);
	EXPECT_EQ(out[2], KML_Q16_MIN);
	ASSERT_EQ(kml_reduce(&t, 0x3, KML_REDUCE_MEAN, out, 1), 1);
	EXPECT_EQ(out[0], -357913942); // (2 MAX + 3 MIN) / 6, rounded away from 0
}

TEST(Tensor, RepeatAndTileRandomShapesAndViews)
{
	std::mt19937_64 rng(21);
	std::vector<int32_t> store, out(7 * 7 * 7 * 7 * 81);

	for (int iter = 0; iter < 2000; iter++) {
		kml_tensor t = random_view(rng, store);
		std::vector<uint32_t> reps(t.ndim);
		for (auto &r : reps)
			r = 1 + rng() % 3;
		for (bool tile : {false, true}) {
			auto ref = ref_expand(t, reps, tile);
			int n = tile ? kml_tile(&t, reps.data(), out.data(), out.size())
				     : kml_repeat(&t, reps.data(), out.data(), out.size());
			ASSERT_EQ(n, int(ref.size()));
			ASSERT_EQ(std::vector<int32_t>(out.begin(), out.begin() + n), ref) << "tile " << tile;
		}
	}
}

TEST(Tensor, RejectsBadArguments)
{
	std::vector<int32_t> v(24);
	uint32_t dim[] = {2, 3, 4}, zero[] = {2, 0}, reps[] = {1, 2, 3}, no_reps[] = {1, 0, 1};
	kml_tensor t;
	int32_t out[64];

	EXPECT_EQ(kml_tensor_init(&t, v.data(), 0, dim), -EINVAL);
	EXPECT_EQ(kml_tensor_init(&t, v.data(), 5, dim), -EINVAL);
	EXPECT_EQ(kml_tensor_init(&t, v.data(), 2, zero), -EINVAL);
	ASSERT_EQ(kml_tensor_init(&t, v.data(), 3, dim), 0);
	EXPECT_EQ(kml_tensor_numel(&t), 24u);
	EXPECT_EQ(kml_reduce(&t, 0x8, KML_REDUCE_SUM, out, 64), -EINVAL);
	EXPECT_EQ(kml_reduce(&t, 0x1, kml_reduce_op(3), out, 64), -EINVAL);
	EXPECT_EQ(kml_reduce(&t, 0x0, KML_REDUCE_SUM, out, 23), -ENOSPC);
	EXPECT_EQ(kml_reduce(&t, 0x7, KML_REDUCE_SUM, out, 1), 1);
	EXPECT_EQ(kml_repeat(&t, no_reps, out, 64), -EINVAL);
	EXPECT_EQ(kml_tile(&t, reps, out, 64), -ENOSPC);
}
