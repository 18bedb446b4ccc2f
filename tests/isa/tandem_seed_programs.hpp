// Tandem programs covering every instruction class: the seed corpus of the assembler's mutation
// fuzz test (tests/isa) and of the libFuzzer target (tests/fuzz).
#pragma once

#include <string>
#include <vector>

namespace accelgen::isa::tandem {

inline const std::vector<std::string>& SeedPrograms() {
  static const std::vector<std::string> programs = {
      R"(.ns in = vmem1
.iter x = in[0]
.iter y = vmem2[1]
.equ N = 32
sync.tandem.start.exec 1
dtype.fxp32 16, 16, 16
iter.base_zext x, 0
iter.stride_sext x, 1
imm.sext imm[2], -3
loop.set_iter 0, N
loop.set_index y, x, imm[2]
loop.set_num_inst 2
body: max y, x, imm[2]   # clip low
      min y, y, imm[3]
sync.tandem.end.buf 1
)",
      R"(; off-chip tile walk
ld.base_addr lo, vmem1, 0x1000
ld.base_addr hi, vmem1, 0x0
ld.base_iter vmem1, 0, 4
ld.base_stride lo, vmem1, 0, 0x400
ld.tile_iter vmem1, 1, 16
ld.tile_stride lo, vmem1, 1, 0x40
ld.tile_addr lo, vmem1, 0x0
ld.start vmem1, 5, 256
st.start vmem2, 5, 256
)",
      R"(perm.set_base src, 0
perm.set_base dst, 128
perm.set_iter src, 0, 8
perm.set_stride src, 0, -8
perm.set_iter dst, 1, 8
perm.set_stride dst, 1, 1
perm.start vmem2, vmem1, 0
cast.fxp32_fxp8 vmem2[0], vmem1[0]
floor vmem1[1], vmem1[1]
cmov.t vmem2[3], vmem1[4], vmem2[5]
sign obuf[0], obuf[1]
eq ibuf[2], vmem1[2], imm[31]
nop
)",
  };
  return programs;
}

}  // namespace accelgen::isa::tandem
