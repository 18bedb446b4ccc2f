// The region_manager golden model against hand-worked command sequences (ring placement, the
// arena release, wrap at the end of a 10-word buffer, a region of the whole buffer, every error
// case leaving the state unchanged), its timing, the parameter checks and the paper's 272 bytes.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "golden_model/region_manager/region_manager_model.hpp"

namespace accelgen::golden {
namespace {

RegionManagerParams small(int regions, int addr_bits, int64_t capacity) {
  RegionManagerParams p;
  p.regions = regions;
  p.addr_bits = addr_bits;
  p.capacity_words = capacity;
  return p;
}

struct Step {
  RegionOp op;
  int64_t id, arg;
  bool error;
  int64_t addr, used, live;
};

void run_steps(RegionManagerModel& m, const std::vector<Step>& steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const auto [error, addr] = m.apply(s.op, s.id, s.arg);
    EXPECT_EQ(error, s.error) << "step " << i;
    EXPECT_EQ(addr, s.addr) << "step " << i;
    EXPECT_EQ(m.used(), s.used) << "step " << i;
    EXPECT_EQ(m.live(), s.live) << "step " << i;
  }
}

constexpr RegionOp A = RegionOp::kAlloc, F = RegionOp::kFree, T = RegionOp::kTranslate;

TEST(RegionManagerGolden, RingPlacementWrapAndWholeBuffer) {
  RegionManagerModel m(small(3, 4, 10));  // 3 regions over 10 words (addresses 0..9)
  run_steps(
      m, {
             {A, 0, 4, false, 0, 4, 1},   // words 0..3
             {A, 1, 5, false, 4, 9, 2},   // words 4..8
             {A, 2, 2, true, 0, 9, 2},    // 9 + 2 > 10: over capacity
             {A, 2, 1, false, 9, 10, 3},  // word 9: exactly the remaining capacity
             {T, 1, 4, false, 8, 10, 3},  // region 1's last word
             {T, 1, 5, true, 0, 10, 3},   // one past it
             {T, 2, 0, false, 9, 10, 3},
             {F, 0, 0, false, 0, 10, 2},  // freed, but the words return only when all are free
             {A, 0, 1, true, 0, 10, 2},
             {F, 1, 0, false, 4, 10, 1},
             {F, 2, 0, false, 9, 0, 0},  // the last one: used back to 0, top stays at 10 mod 10 = 0
             {A, 0, 3, false, 0, 3, 1},
             {A, 1, 6, false, 3, 9, 2},
             {F, 0, 0, false, 0, 9, 1},
             {F, 1, 0, false, 3, 0, 0},  // top = 9
             {A, 0, 4, false, 9, 4, 1},  // words 9, 0, 1, 2: wraps at the end of the buffer
             {T, 0, 0, false, 9, 4, 1},
             {T, 0, 1, false, 0, 4, 1},
             {T, 0, 3, false, 2, 4, 1},
             {T, 0, 4, true, 0, 4, 1},
             {F, 0, 0, false, 9, 0, 0},    // top = 3
             {A, 0, 10, false, 3, 10, 1},  // the whole buffer: end = 2
             {T, 0, 9, false, 2, 10, 1},
             {T, 0, 10, true, 0, 10, 1},
             {T, 0, 6, false, 9, 10, 1},
             {T, 0, 7, false, 0, 10, 1},
         });
  EXPECT_EQ(m.length(0), 10);
  EXPECT_EQ(m.top(), 3);
}

TEST(RegionManagerGolden, IllegalCommandsChangeNothing) {
  RegionManagerModel m(small(3, 4, 0));  // 16 words; ids 0..2 valid, 3 fits the 2-bit field
  run_steps(m, {
                   {F, 0, 0, true, 0, 0, 0},   // free of an unallocated region
                   {T, 0, 0, true, 0, 0, 0},   // translate of an unallocated region
                   {A, 3, 1, true, 0, 0, 0},   // id past the table
                   {A, 0, 0, true, 0, 0, 0},   // zero length
                   {A, 0, 17, true, 0, 0, 0},  // more than the buffer
                   {RegionOp::kReserved, 0, 1, true, 0, 0, 0},
                   {A, 0, 16, false, 0, 16, 1},  // exactly the buffer
                   {A, 0, 1, true, 0, 16, 1},    // double allocation
                   {A, 1, 1, true, 0, 16, 1},    // over capacity
                   {F, 3, 0, true, 0, 16, 1},
                   {T, 3, 0, true, 0, 16, 1},
                   {T, 0, 31, true, 0, 16, 1},  // the largest offset the port carries
                   {T, 0, 15, false, 15, 16, 1},
               });
  EXPECT_EQ(m.top(), 0);
}

TEST(RegionManagerGolden, FullTable) {
  RegionManagerModel m(small(4, 5, 0));
  for (int64_t i = 0; i < 4; ++i) EXPECT_FALSE(m.apply(A, i, 2).first);
  EXPECT_EQ(m.live(), 4);
  for (int64_t i = 0; i < 4; ++i) EXPECT_TRUE(m.apply(A, i, 1).first);  // every id is taken
  EXPECT_EQ(m.used(), 8);
  EXPECT_EQ(m.apply(T, 3, 1), std::make_pair(false, int64_t{7}));
}

TEST(RegionManagerGolden, OneCommandPerCycleAnsweredTheNext) {
  const RegionManagerParams p = small(2, 3, 0);
  const auto r =
      predict_region_manager(p, {{A, 0, 3, 0}, {T, 0, 2, 0}, {T, 0, 3, 5}, {F, 0, 0, 5}});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].cycle, 1);
  EXPECT_EQ(r[1].cycle, 2);  // queued behind the first
  EXPECT_EQ(r[2].cycle, 6);
  EXPECT_EQ(r[3].cycle, 7);
  EXPECT_EQ(r[1].addr, 2);
  EXPECT_TRUE(r[2].error);
  EXPECT_EQ(r[3].live, 0);
  EXPECT_THROW(predict_region_manager(p, {{A, 2, 1, 0}}),
               std::invalid_argument);  // id 2 needs 2 bits
  EXPECT_THROW(predict_region_manager(p, {{A, 0, 16, 0}}),
               std::invalid_argument);  // arg has 4 bits
}

TEST(RegionManagerParamsTest, PaperSizeAndChecks) {
  const BlockInfo info = region_manager_block_info();
  const ParamSet def = resolve_params(info, "", {}, false);
  const RegionManagerParams p = RegionManagerParams::from(def);
  EXPECT_EQ(p.capacity(), 131072);  // 1 MB of 64-bit words
  EXPECT_EQ(p.capacity() * p.word_bits / 8, 1 << 20);
  EXPECT_EQ(p.table_bits(), 2176);     // 2 * 64 * 17
  EXPECT_EQ(p.table_bits() / 8, 272);  // the paper's 272 bytes
  EXPECT_EQ(p.id_bits(), 6);
  EXPECT_EQ(p.live_bits(), 7);
  EXPECT_EQ(p.register_bits(), 2176 + 64 + 17 + 18 + 7 + 2 + 17);
  EXPECT_EQ(small(5, 4, 0).id_bits(), 3);
  EXPECT_EQ(small(1, 4, 0).id_bits(), 1);
  EXPECT_THROW(resolve_params(info, "", {"addr_bits=4", "capacity_words=17"}, false), UserError);
  EXPECT_THROW(resolve_params(info, "", {"word_bits=12"}, false), UserError);
  EXPECT_THROW(resolve_params(info, "", {"regions=0"}, false), UserError);
  EXPECT_NO_THROW(resolve_params(info, "", {"addr_bits=4", "capacity_words=16"}, false));
}

}  // namespace
}  // namespace accelgen::golden
