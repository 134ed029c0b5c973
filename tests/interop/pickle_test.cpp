// The restricted unpickler: it builds the data torch.save pickles hold, and
// refuses every call it was not told about, naming it.
#include <catch2/catch.hpp>

#include "interop/pickle.h"
#include "interop/pickle_builder.h"

using namespace lp;
using lp::test::PickleBuilder;
using Kind = PickleValue::Kind;

namespace {

std::string refusal(const PickleBuilder& p) {
  const std::vector<uint8_t> bytes = p.data();
  Pickle pickle;
  std::string error;
  CHECK_FALSE(pickle_load(bytes.data(), bytes.size(), &pickle, &error));
  return error;
}

Pickle load(const PickleBuilder& p) {
  const std::vector<uint8_t> bytes = p.data();
  Pickle pickle;
  std::string error;
  INFO(error);
  REQUIRE(pickle_load(bytes.data(), bytes.size(), &pickle, &error));
  return pickle;
}

}  // namespace

TEST_CASE("a state_dict pickle becomes a dict of tensors on named storages", "[interop][pickle]") {
  PickleBuilder p;
  p.global("collections", "OrderedDict").op(')').op('R').op('q').op('\x00');  // BINPUT 0
  p.mark().text("encoder.0.weight").tensor("0", 6, {2, 3}, {3, 1});
  p.text("encoder.0.bias").tensor("1", 2, {2}, {1}, 0).op('u').stop();
  const Pickle pickle = load(p);
  const PickleValue& root = pickle.at(pickle.root);
  REQUIRE(root.kind == Kind::dict);
  REQUIRE(root.items.size() == 4);
  CHECK(pickle.at(root.items[0]).text == "encoder.0.weight");
  const PickleValue& weight = pickle.at(root.items[1]);
  REQUIRE(weight.kind == Kind::tensor);
  const PickleTensor& t = pickle.tensors[weight.integer];
  CHECK(t.sizes == std::vector<int64_t>{2, 3});
  CHECK(t.strides == std::vector<int64_t>{3, 1});
  CHECK(pickle.storages[t.storage].key == "0");
  CHECK(pickle.storages[t.storage].numel == 6);
  CHECK(pickle.storages[t.storage].dtype == TorchDtype::float32);
  CHECK(pickle_dict_get(pickle, root, "encoder.0.bias") != nullptr);
  CHECK(pickle_dict_get(pickle, root, "missing") == nullptr);
}

TEST_CASE("module objects keep their class and the state BUILD gives them", "[interop][pickle]") {
  PickleBuilder p;
  p.global("__main__", "AutoEncoder").op(')').op('\x81');  // NEWOBJ
  p.op('}').text("training").op('\x88').op('s');           // {'training': True}
  p.op('b').stop();                                         // BUILD
  const Pickle pickle = load(p);
  const PickleValue& root = pickle.at(pickle.root);
  REQUIRE(root.kind == Kind::object);
  CHECK(root.text == "__main__.AutoEncoder");
  REQUIRE(root.items.size() == 1);
  const PickleValue* training = pickle_dict_get(pickle, pickle.at(root.items[0]), "training");
  REQUIRE(training);
  CHECK(training->kind == Kind::boolean);
  CHECK(training->integer == 1);
}

TEST_CASE("memo, integers and floats read as pickle defines them", "[interop][pickle]") {
  PickleBuilder p;
  p.mark().text("shared").op('q').op('\x07').op('h').op('\x07');  // BINPUT 7, BINGET 7
  p.op('\x8a').op('\x01').op('\xff');                              // LONG1 of one byte: -1
  p.op('M').op('\x34').op('\x12');                                 // BININT2 0x1234
  p.op('G');                                                        // BINFLOAT 1.5, big-endian
  for (char c : std::string("\x3f\xf8\x00\x00\x00\x00\x00\x00", 8)) p.op(c);
  p.op('l').stop();                                                 // LIST
  const Pickle pickle = load(p);
  const PickleValue& list = pickle.at(pickle.root);
  REQUIRE(list.items.size() == 5);
  CHECK(list.items[0] == list.items[1]);  // the same value, not a copy
  CHECK(pickle.at(list.items[2]).integer == -1);
  CHECK(pickle.at(list.items[3]).integer == 0x1234);
  CHECK(pickle.at(list.items[4]).real == 1.5);
}

TEST_CASE("protocol 4's STACK_GLOBAL builds the same values as GLOBAL", "[interop][pickle]") {
  // Strings pushed first, then STACK_GLOBAL: the arena grows while the names are read.
  PickleBuilder p;
  p.text("collections").text("OrderedDict").op('\x93').op(')').op('R').stop();
  const Pickle pickle = load(p);
  CHECK(pickle.at(pickle.root).kind == Kind::dict);
  CHECK(pickle.values[2].text == "collections.OrderedDict");
}

TEST_CASE("calls outside the allow-list are refused by name", "[interop][pickle][hostile]") {
  CHECK(refusal(PickleBuilder().global("posix", "system").mark().text("touch x").tuple().op('R').stop()) ==
        "it asks to call posix.system; a model file never needs that");
  CHECK(refusal(PickleBuilder().global("builtins", "eval")) == "it asks to call builtins.eval; a model file never needs that");
  CHECK(refusal(PickleBuilder().global("__builtin__", "getattr")) ==
        "it asks to call __builtin__.getattr; a model file never needs that");
  // The protocol-4 spelling of GLOBAL goes through the same list.
  CHECK(refusal(PickleBuilder().text("subprocess").text("Popen").op('\x93')) ==
        "it asks to call subprocess.Popen; a model file never needs that");
  // Allowed as a name, not as a call: a user class must not run its constructor.
  CHECK(refusal(PickleBuilder().global("__main__", "AutoEncoder").op(')').op('R')) ==
        "it asks to call __main__.AutoEncoder; a model file never needs that");
  CHECK(refusal(PickleBuilder().global("torch", "FloatStorage").op(')').op('R')) ==
        "it asks to call torch.FloatStorage; a model file never needs that");
  CHECK(refusal(PickleBuilder().global("torch._utils", "_rebuild_tensor_v2").op(')').op('\x81')) ==
        "it asks to create a torch._utils._rebuild_tensor_v2; a model file never needs that");
  CHECK(refusal(PickleBuilder().global("torch._utils", "_rebuild_qtensor")) ==
        "it asks for torch._utils._rebuild_qtensor, which this reader does not support");
  // Lower-case names under torch.nn or __main__ are functions, not module classes.
  CHECK_THAT(refusal(PickleBuilder().global("__main__", "system")), Catch::Contains("asks to call __main__.system"));
  // A user's class from their own module is not read, and the message says what to do instead.
  CHECK(refusal(PickleBuilder().global("mymodel", "AutoEncoder")) ==
        "it holds a mymodel.AutoEncoder, a class from outside __main__ and torch.nn, which this reader does not "
        "read; save the model's state_dict() instead");
  // Names from the file reach the terminal escaped.
  CHECK(refusal(PickleBuilder().global("os", "sys\x1b[2Jtem")) ==
        "it asks to call os.sys\\x1b[2Jtem; a model file never needs that");
  PickleBuilder inst;
  inst.mark().text("ls").bytes += "ios\nsystem\n";  // INST: the protocol-0 call opcode
  CHECK(refusal(inst) == "it uses pickle opcode INST, which calls code; a model file never needs that");
}

TEST_CASE("malformed streams are refused, never crash", "[interop][pickle][hostile]") {
  CHECK(refusal(PickleBuilder().op('\xff')) == "it holds an unknown pickle opcode 0xff at byte 2");
  CHECK(refusal(PickleBuilder().text("no stop")) == "its pickle is truncated");
  CHECK(refusal(PickleBuilder().op('0')) == "its pickle pops from an empty stack");
  CHECK(refusal(PickleBuilder().op('h').op('\x05')) == "its pickle refers to memo entry 5, never stored");
  CHECK(refusal(PickleBuilder().op('N').op('N').stop()) == "its pickle ends with a malformed stack");
  CHECK(refusal(PickleBuilder().op('X').op('\xff').op('\xff').op('\xff').op('\x7f')) == "its pickle is truncated");
  CHECK_THAT(refusal(PickleBuilder().op('N').op('a')), Catch::Contains("APPEND"));
  CHECK_THAT(refusal(PickleBuilder().mark().text("not a storage").op('Q')), Catch::Contains("persistent record"));
  // A tensor whose storage argument is something else.
  CHECK_THAT(refusal(PickleBuilder().global("torch._utils", "_rebuild_tensor_v2").mark().op('N').integer(0)
                         .op(')').op(')').op('\x89').op('}').tuple().op('R')),
             Catch::Contains("malformed arguments"));
  // One list copied into a set again and again hits a budget instead of all memory.
  PickleBuilder copies;
  copies.global("builtins", "set").op('q').op('\x00').op(']').mark();
  for (int i = 0; i < 2000; ++i) copies.op('N');
  copies.op('e').op('\x85').op('q').op('\x01');  // APPENDS, TUPLE1: the argument tuple
  for (int i = 0; i < 3000; ++i) copies.op('h').op('\x00').op('h').op('\x01').op('R').op('0');
  CHECK(refusal(copies) == "its pickle's containers hold more than 4,194,304 elements in all");
  // A stack that only grows hits a limit instead of all memory.
  PickleBuilder deep;
  deep.bytes += std::string(kPickleMaxValues + 1, ']');
  CHECK_THAT(refusal(deep), Catch::Contains("1,048,576"));
}
