// The progress line of onyx test and onyx bench: drawn in place when enabled (a
// terminal), nothing at all otherwise.
#include "progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace onyx::cli {
namespace {

TEST(Progress, RedrawsOneLineInPlaceAndErasesIt) {
  std::ostringstream out;
  {
    Progress p(out, true, 120);
    p.update(7, "5 passed, 2 failed");
    const std::string first = "[  7/120] 5 passed, 2 failed  0:00";
    EXPECT_EQ(out.str(), "\r" + first);
    out.str("");
    p.update(8, "ok");  // shorter: the rest of the old line is blanked
    const std::string line = "[  8/120] ok  0:00";
    EXPECT_EQ(out.str(), "\r" + line + std::string(first.size() - line.size(), ' ') + "\r" + line);
    out.str("");
    p.clear();
    EXPECT_EQ(out.str(), "\r" + std::string(line.size(), ' ') + "\r");
    out.str("");
    p.update(9, "x");
    out.str("");
  }  // going away erases what it drew
  EXPECT_EQ(out.str(), "\r" + std::string(std::string("[  9/120] x  0:00").size(), ' ') + "\r");
}

TEST(Progress, DisabledWritesNothing) {
  std::ostringstream out;
  {
    Progress p(out, false, 3);
    p.update(1, "a");
    p.clear();
    p.update(2, "b");
  }
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace onyx::cli
