#include "kernels/cpu.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace onyx::kernels {

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::Generic:
      return true;
#if defined(__x86_64__) && defined(__GNUC__)
    case Isa::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::Avx512:
      return __builtin_cpu_supports("avx512f") && isa_supported(Isa::Avx2);
#endif
    default:
      return false;
  }
}

bool cpu_has_avx512vnni() {
#if defined(__x86_64__) && defined(__GNUC__)
  return isa_supported(Isa::Avx512) && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx2:
      return "avx2";
    case Isa::Avx512:
      return "avx512";
    default:
      return "generic";
  }
}

namespace {

Isa detect() {
  Isa best = Isa::Generic;
  for (Isa isa : {Isa::Avx2, Isa::Avx512})
    if (isa_supported(isa)) best = isa;
  if (const char* wanted = std::getenv("ONYX_ISA")) {
    for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512})
      if (std::strcmp(wanted, isa_name(isa)) == 0 && static_cast<int>(isa) < static_cast<int>(best))
        best = isa;
  }
  return best;
}

}  // namespace

Isa active_isa() {
  static const Isa isa = detect();
  return isa;
}

}  // namespace onyx::kernels
