// SPDX-License-Identifier: GPL-2.0 OR MIT
// The model blob: round trips, sizes, and one distinct rejection for every
// malformed field.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <set>
#include <string>

#include <kml/kml.hpp>

namespace {

using Blob = std::vector<uint8_t>;

Blob make_blob(std::vector<uint32_t> widths, kml_wtype wtype, kml_act hidden = KML_ACT_RELU)
{
	auto kind = widths.size() == 2 ? KML_MODEL_LINEAR : KML_MODEL_MLP;
	auto f = kml::FloatModel::make(kind, widths, kind == KML_MODEL_LINEAR ? KML_ACT_NONE : hidden,
				       KML_ACT_NONE, 7);

	return kml::to_blob(f, wtype, 42);
}

void put(Blob &b, size_t off, uint32_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[off + i] = uint8_t(v >> (8 * i));
}

void set(Blob &b, size_t off, size_t n, uint32_t v) { put(b, off, v, n); }

// Recompute the CRC after a change, as a buggy but honest writer would.
void reseal(Blob &b)
{
	size_t at = offsetof(kml_blob_header, crc32);

	put(b, at, 0, 4);
	put(b, at, kml_crc32(0, b.data(), b.size()), 4);
}

#define FIELD(f) offsetof(kml_blob_header, f), sizeof(kml_blob_header::f)

struct Case {
	const char *what;
	Blob base;
	std::function<void(Blob &)> mutate;
	int want;
	bool seal = true;
};

} // namespace

TEST(Blob, RoundTripKeepsTheModel)
{
	for (auto wtype : {KML_WTYPE_Q16, KML_WTYPE_I8}) {
		auto f = kml::FloatModel::make(KML_MODEL_MLP, {8, 32, 16, 1}, KML_ACT_RELU, KML_ACT_SIGMOID, 3);
		f.mean[2] = 3.25;
		f.inv_std[5] = 0.125;
		auto blob = kml::to_blob(f, wtype, 77);
		int err = -1;
		auto m = kml::Model::load(blob, err);

		ASSERT_TRUE(m) << kml_blob_strerror(err);
		EXPECT_EQ(m->get()->version, 77u);
		EXPECT_EQ(m->get()->n_layers, 3);
		EXPECT_EQ(m->get()->layer[2].act, KML_ACT_SIGMOID);
		auto g = m->to_float();
		EXPECT_EQ(g.mean[2], 3.25);
		EXPECT_EQ(g.inv_std[5], 0.125);
		for (size_t l = 0; l < 3; l++) {
			double amax = 0;
			for (double w : f.layers[l].w)
				amax = std::max(amax, std::fabs(w));
			// quantization step / 2: 0.5 LSB (Q16) or amax / 127 / 2 (int8)
			double tol = wtype == KML_WTYPE_Q16 ? 0.5 / KML_Q16_ONE : amax / 254 * 1.0001;
			for (size_t i = 0; i < f.layers[l].w.size(); i++)
				ASSERT_NEAR(g.layers[l].w[i], f.layers[l].w[i], tol);
		}
		EXPECT_EQ(kml::to_blob(g, wtype, 77), blob) << "re-serializing changed the blob";
	}
}

TEST(Blob, LayoutIsLittleEndianAndSized)
{
	auto b = make_blob({16, 64, 64, 4}, KML_WTYPE_Q16);
	size_t size = 0;

	EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "KMLB");
	EXPECT_EQ(b[offsetof(kml_blob_header, header_size)], 64);
	EXPECT_EQ(b.size(), kml_blob_max_size());
	EXPECT_EQ(b.size(), KML_BLOB_MAX_SIZE);
	ASSERT_EQ(kml_blob_check(b.data(), b.size(), &size), 0);
	EXPECT_EQ(size, KML_MODEL_MAX_SIZE);
	EXPECT_EQ(kml_crc32(0, "123456789", 9), 0xcbf43926u); // the CRC-32 check value
}

TEST(Blob, LoadNeedsTheSizeCheckReports)
{
	auto b = make_blob({8, 16, 1}, KML_WTYPE_Q16);
	size_t size = 0;

	ASSERT_EQ(kml_blob_check(b.data(), b.size(), &size), 0);
	std::vector<uint64_t> buf(size / 8 + 1);
	auto *m = reinterpret_cast<kml_model *>(buf.data());
	EXPECT_EQ(kml_blob_load(m, size - 1, b.data(), b.size()), KML_BLOB_ENOSPC);
	EXPECT_EQ(kml_blob_load(m, size, b.data(), b.size()), 0);
}

TEST(Blob, EachMalformedFieldHasItsOwnCode)
{
	const Blob mlp = make_blob({8, 32, 16, 1}, KML_WTYPE_I8), mlp2 = make_blob({8, 16, 1}, KML_WTYPE_Q16);
	const Blob lin = make_blob({8, 1}, KML_WTYPE_Q16), odd = make_blob({5, 3, 1}, KML_WTYPE_I8);
	const size_t payload = sizeof(kml_blob_header);
	const std::vector<Case> cases = {
		{"truncated", mlp, [](Blob &b) { b.resize(63); }, KML_BLOB_ETRUNC, false},
		{"magic", mlp, [](Blob &b) { b[0] ^= 1; }, KML_BLOB_EMAGIC},
		{"version", mlp, [](Blob &b) { set(b, FIELD(version), 2); }, KML_BLOB_EVERSION},
		{"header_size", mlp, [](Blob &b) { set(b, FIELD(header_size), 60); },
		 KML_BLOB_EHDRSIZE},
		{"kind 0", mlp, [](Blob &b) { set(b, FIELD(kind), 0); }, KML_BLOB_EKIND},
		{"kind 3", mlp, [](Blob &b) { set(b, FIELD(kind), 3); }, KML_BLOB_EKIND},
		{"wtype", mlp, [](Blob &b) { set(b, FIELD(wtype), 3); }, KML_BLOB_EWTYPE},
		{"frac_bits", mlp, [](Blob &b) { set(b, FIELD(frac_bits), 15); }, KML_BLOB_EFRAC},
		{"linear with 2 layers", lin, [](Blob &b) { set(b, FIELD(n_layers), 2); }, KML_BLOB_ELAYERS},
		{"mlp with 1 layer", mlp, [](Blob &b) { set(b, FIELD(n_layers), 1); }, KML_BLOB_ELAYERS},
		{"mlp with 4 layers", mlp, [](Blob &b) { set(b, FIELD(n_layers), 4); }, KML_BLOB_ELAYERS},
		{"no inputs", mlp, [](Blob &b) { set(b, FIELD(dim[0]), 0); }, KML_BLOB_EINPUTS},
		{"17 inputs", mlp, [](Blob &b) { set(b, FIELD(dim[0]), 17); }, KML_BLOB_EINPUTS},
		{"hidden 65", mlp, [](Blob &b) { set(b, FIELD(dim[1]), 65); }, KML_BLOB_EHIDDEN},
		{"hidden 0", mlp, [](Blob &b) { set(b, FIELD(dim[2]), 0); }, KML_BLOB_EHIDDEN},
		{"unused dim set", mlp2, [](Blob &b) { set(b, FIELD(dim[3]), 1); }, KML_BLOB_EHIDDEN},
		{"5 outputs", mlp, [](Blob &b) { set(b, FIELD(dim[3]), 5); }, KML_BLOB_EOUTPUTS},
		{"no outputs", lin, [](Blob &b) { set(b, FIELD(dim[1]), 0); }, KML_BLOB_EOUTPUTS},
		{"hidden act", mlp, [](Blob &b) { set(b, FIELD(hidden_act), KML_ACT_COUNT); }, KML_BLOB_EACT},
		{"linear hidden act", lin, [](Blob &b) { set(b, FIELD(hidden_act), KML_ACT_RELU); },
		 KML_BLOB_EACT},
		{"out act", mlp, [](Blob &b) { set(b, FIELD(out_act), 200); }, KML_BLOB_EOUTACT},
		{"flags", mlp, [](Blob &b) { set(b, FIELD(flags), 0x8000); }, KML_BLOB_EFLAGS},
		{"payload_size", mlp, [](Blob &b) { b[offsetof(kml_blob_header, payload_size)] += 4; },
		 KML_BLOB_EPAYLOAD},
		{"scale too small", mlp, [](Blob &b) { set(b, FIELD(scale_mult[1]), (1u << 30) - 1); },
		 KML_BLOB_ESCALE},
		{"scale negative", mlp, [](Blob &b) { set(b, FIELD(scale_mult[0]), 0x80000000u); },
		 KML_BLOB_ESCALE},
		{"scale on Q16", mlp2, [](Blob &b) { set(b, FIELD(scale_mult[0]), 1u << 30); },
		 KML_BLOB_ESCALE},
		{"scale on unused layer", odd, [](Blob &b) { set(b, FIELD(scale_mult[2]), 1u << 30); },
		 KML_BLOB_ESCALE},
		{"shift 17", mlp, [](Blob &b) { set(b, FIELD(scale_shift[2]), 17); }, KML_BLOB_ESHIFT},
		{"shift -33", mlp, [](Blob &b) { set(b, FIELD(scale_shift[0]), uint8_t(-33)); },
		 KML_BLOB_ESHIFT},
		{"shift on Q16", mlp2, [](Blob &b) { set(b, FIELD(scale_shift[1]), 1); }, KML_BLOB_ESHIFT},
		{"reserved0", mlp, [](Blob &b) { set(b, FIELD(reserved0), 1); }, KML_BLOB_ERESERVED},
		{"reserved[2]", mlp, [](Blob &b) { set(b, FIELD(reserved[2]), 1); }, KML_BLOB_ERESERVED},
		{"trailing byte", mlp, [](Blob &b) { b.push_back(0); }, KML_BLOB_ELENGTH},
		{"short payload", mlp, [](Blob &b) { b.pop_back(); }, KML_BLOB_ELENGTH},
		{"crc", mlp, [](Blob &b) { b.back() ^= 0x10; }, KML_BLOB_ECRC, false},
		{"inv_std 0", mlp, [=](Blob &b) { put(b, payload + 4 * 8, 0, 4); }, KML_BLOB_ESTD},
		{"inv_std < 0", lin, [=](Blob &b) { put(b, payload + 4 * 15, uint32_t(-5), 4); }, KML_BLOB_ESTD},
		{"weight > 128", mlp2, [=](Blob &b) { put(b, payload + 4 * (16 + 16 + 3), 129u << 16, 4); },
		 KML_BLOB_EWEIGHT},
		{"weight < -128", lin, [=](Blob &b) { put(b, b.size() - 4, uint32_t(-(129 << 16)), 4); },
		 KML_BLOB_EWEIGHT},
		{"int8 padding", odd, [=](Blob &b) { b[payload + 4 * (10 + 3) + 15] = 1; }, KML_BLOB_EPAD},
	};
	std::set<int> seen;

	for (const auto &c : cases) {
		Blob b = c.base;
		size_t size = 0;

		ASSERT_EQ(kml_blob_check(b.data(), b.size(), &size), 0) << c.what;
		c.mutate(b);
		if (c.seal)
			reseal(b);
		EXPECT_EQ(kml_blob_check(b.data(), b.size(), &size), c.want) << c.what;
		std::vector<uint64_t> buf(KML_MODEL_MAX_SIZE / 8 + 1);
		EXPECT_EQ(kml_blob_load(reinterpret_cast<kml_model *>(buf.data()), KML_MODEL_MAX_SIZE, b.data(),
					b.size()),
			  c.want)
			<< c.what;
		seen.insert(c.want);
	}
	seen.insert(KML_BLOB_ENOSPC); // LoadNeedsTheSizeCheckReports
	EXPECT_EQ(seen.size(), size_t(-KML_BLOB_ERR_MIN)) << "an error code has no test";
}

TEST(Blob, StrerrorIsDistinct)
{
	std::set<std::string> msgs;

	for (int e = 0; e >= KML_BLOB_ERR_MIN; e--) {
		std::string s = kml_blob_strerror(e);
		EXPECT_NE(s, "unknown error") << e;
		msgs.insert(s);
	}
	EXPECT_EQ(msgs.size(), size_t(1 - KML_BLOB_ERR_MIN));
	EXPECT_STREQ(kml_blob_strerror(1), "unknown error");
	EXPECT_STREQ(kml_blob_strerror(KML_BLOB_ERR_MIN - 1), "unknown error");
}
