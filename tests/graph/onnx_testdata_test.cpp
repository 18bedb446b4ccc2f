// Sweep of Debian's libonnx-testdata (the ONNX backend test suite, written by the ONNX project):
// every model must import or be rejected with a UserError — nothing else — and every imported
// model's inferred output shapes must equal the reference outputs stored beside it.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/error.hpp"
#include "compiler/graph/onnx_import.hpp"

namespace accelgen::graph {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTestData = "/usr/share/libonnx-testdata/data";

// The reason of a rejection without the file and node names, for a histogram.
std::string reason_of(const std::string& message) {
  const auto op = message.find("unsupported ONNX operator '");
  if (op != std::string::npos) {
    const auto start = op + 27;
    return "unsupported operator " + message.substr(start, message.find('\'', start) - start);
  }
  auto colon = message.rfind(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

TEST(OnnxTestData, EveryModelImportsWithMatchingShapesOrIsRejectedClearly) {
  if (!onnx_import_available()) GTEST_SKIP() << "built without libonnx-dev";
  if (!fs::exists(kTestData)) GTEST_SKIP() << "libonnx-testdata is not installed";
  std::vector<fs::path> models;
  for (const auto& entry : fs::recursive_directory_iterator(kTestData)) {
    if (entry.path().filename() == "model.onnx") models.push_back(entry.path());
  }
  std::sort(models.begin(), models.end());
  int imported = 0, compared = 0, unsupported_op = 0, other_rejection = 0;
  std::map<std::string, int> reasons;
  for (const fs::path& model : models) {
    try {
      const OnnxImport result = import_onnx_file(model.string());
      ++imported;
      const fs::path data = model.parent_path() / "test_data_set_0";
      for (size_t i = 0; i < result.outputs.size(); ++i) {
        const fs::path ref = data / ("output_" + std::to_string(i) + ".pb");
        if (!fs::exists(ref)) continue;
        ++compared;
        EXPECT_EQ(shape_string(result.outputs[i].second), shape_string(onnx_tensor_file_dims(ref)))
            << model << " output " << result.outputs[i].first;
      }
    } catch (const UserError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      const std::string reason = reason_of(message);
      ++reasons[reason];
      if (reason.rfind("unsupported operator", 0) == 0) {
        ++unsupported_op;
      } else {
        ++other_rejection;
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << model << ": not a UserError: " << e.what();
    }
  }
  std::vector<std::pair<int, std::string>> top;
  for (const auto& [reason, count] : reasons) top.emplace_back(count, reason);
  std::sort(top.rbegin(), top.rend());
  std::string summary;
  for (size_t i = 0; i < top.size() && i < 400; ++i) {
    summary += "  " + std::to_string(top[i].first) + "  " + top[i].second + "\n";
  }
  std::printf(
      "libonnx-testdata: %zu models; %d imported (%d output shapes compared), %d rejected for an "
      "unsupported operator, %d rejected for another stated reason\nmost common rejections:\n%s",
      models.size(), imported, compared, unsupported_op, other_rejection, summary.c_str());
  EXPECT_EQ(imported + unsupported_op + other_rejection, static_cast<int>(models.size()));
  EXPECT_GT(models.size(), 1000u);
}

}  // namespace
}  // namespace accelgen::graph
