#include "interop/pickle.h"

#include <cstring>
#include <unordered_map>

#include "interop/printable.h"

namespace lp {
namespace {

using Kind = PickleValue::Kind;

// What an allowed GLOBAL stands for. Only these can be called or instantiated.
enum class Callable : uint8_t { ordered_dict, set, rebuild_tensor, rebuild_parameter, storage_type, module_class };

struct StorageClass {
  const char* name;
  TorchDtype dtype;
};
constexpr StorageClass kStorageClasses[] = {
    {"FloatStorage", TorchDtype::float32}, {"HalfStorage", TorchDtype::float16},
    {"DoubleStorage", TorchDtype::float64}, {"BFloat16Storage", TorchDtype::bfloat16},
    {"LongStorage", TorchDtype::int64},    {"IntStorage", TorchDtype::int32},
    {"ShortStorage", TorchDtype::int16},   {"CharStorage", TorchDtype::int8},
    {"ByteStorage", TorchDtype::uint8},    {"BoolStorage", TorchDtype::boolean},
};

bool is_class_name(const std::string& name) {
  if (name.empty() || name[0] < 'A' || name[0] > 'Z') return false;
  for (char c : name)
    if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// The allow-list. Returns false, with the refusal, for everything else.
bool classify_global(const std::string& module, const std::string& name, Callable* callable, TorchDtype* dtype,
                     std::string* error) {
  if (module == "collections" && name == "OrderedDict") return *callable = Callable::ordered_dict, true;
  if ((module == "__builtin__" || module == "builtins") && name == "set") return *callable = Callable::set, true;
  if (module == "torch._utils" && name == "_rebuild_tensor_v2") return *callable = Callable::rebuild_tensor, true;
  if (module == "torch._utils" && name == "_rebuild_parameter") return *callable = Callable::rebuild_parameter, true;
  if (module == "torch")
    for (const StorageClass& storage : kStorageClasses)
      if (name == storage.name) {
        *dtype = storage.dtype;
        return *callable = Callable::storage_type, true;
      }
  // Module classes are only ever instantiated empty (NEWOBJ) and given their
  // attributes (BUILD): no code of theirs runs here, so any nn class and any
  // of the user's own classes can stand as a name.
  if ((module.rfind("torch.nn.modules.", 0) == 0 || module == "__main__") && is_class_name(name))
    return *callable = Callable::module_class, true;
  const std::string full = printable(module + "." + name);
  // Modules that can run code, reach the system or load more code.
  static const char* const kDangerous[] = {"os", "posix", "nt", "subprocess", "builtins", "__builtin__", "sys",
                                           "shutil", "socket", "pty", "importlib", "runpy", "pickle", "codecs",
                                           "ctypes", "webbrowser", "multiprocessing", "io", "pathlib", "tempfile"};
  const std::string top = module.substr(0, module.find('.'));
  bool dangerous = false;
  for (const char* d : kDangerous) dangerous = dangerous || top == d;
  if (module == "torch" || module.rfind("torch.", 0) == 0)
    *error = "it asks for " + full + ", which this reader does not support";
  else if (!dangerous && is_class_name(name))
    *error = "it holds a " + full + ", a class from outside __main__ and torch.nn, which this reader does not " +
             "read; save the model's state_dict() instead";
  else
    *error = "it asks to call " + full + "; a model file never needs that";
  return false;
}

class Unpickler {
 public:
  Unpickler(const uint8_t* data, size_t size, PickleFormat format, Pickle* out)
      : p_(data), end_(data + size), begin_(data), format_(format), out_(*out) {}
  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

  bool run(std::string* error) {
    if (!loop()) {
      *error = error_;
      return false;
    }
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* const end_;
  const uint8_t* const begin_;
  const PickleFormat format_;
  Pickle& out_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, uint32_t> memo_;
  std::string error_;
  size_t items_ = 0;  // container elements made so far: a list copied many times must not cost unbounded memory

  bool charge(size_t n) {
    items_ += n;
    if (items_ > kPickleMaxItems) return fail("its pickle's containers hold more than 4,194,304 elements in all");
    return true;
  }

  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  bool truncated() { return fail("its pickle is truncated"); }

  // --- reading the opcode stream ---------------------------------------------
  bool take(size_t n, const uint8_t** bytes) {
    if (static_cast<size_t>(end_ - p_) < n) return truncated();
    *bytes = p_;
    p_ += n;
    return true;
  }
  bool take_uint(size_t n, uint64_t* value) {
    const uint8_t* b;
    if (!take(n, &b)) return false;
    *value = 0;
    for (size_t i = 0; i < n; ++i) *value |= static_cast<uint64_t>(b[i]) << (8 * i);
    return true;
  }
  bool take_line(std::string* line) {
    const void* newline = std::memchr(p_, '\n', std::min<size_t>(end_ - p_, 257));
    if (!newline) return fail("its pickle has a malformed GLOBAL");
    const auto* nl = static_cast<const uint8_t*>(newline);
    line->assign(reinterpret_cast<const char*>(p_), nl - p_);
    p_ = nl + 1;
    return true;
  }

  // --- the value arena and the stack -------------------------------------------
  bool make(Kind kind, uint32_t* index) {
    if (out_.values.size() >= kPickleMaxValues) return fail("its pickle holds more than 1,048,576 values");
    *index = static_cast<uint32_t>(out_.values.size());
    out_.values.emplace_back();
    out_.values.back().kind = kind;
    return true;
  }
  bool push_index(uint32_t index) {
    if (stack_.size() >= kPickleMaxStack) return fail("its pickle's stack grows past 1,048,576 entries");
    stack_.push_back(index);
    return true;
  }
  bool push_new(Kind kind, PickleValue** value = nullptr) {
    uint32_t index;
    if (!make(kind, &index) || !push_index(index)) return false;
    if (value) *value = &out_.values[index];
    return true;
  }
  bool push_integer(int64_t v) {
    PickleValue* value;
    if (!push_new(Kind::integer, &value)) return false;
    value->integer = v;
    return true;
  }
  bool push_string(Kind kind, uint64_t length) {
    const uint8_t* bytes;
    if (length > static_cast<uint64_t>(end_ - p_)) return truncated();
    if (!take(length, &bytes)) return false;
    PickleValue* value;
    if (!push_new(kind, &value)) return false;
    value->text.assign(reinterpret_cast<const char*>(bytes), length);
    return true;
  }
  bool pop(uint32_t* index) {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      return fail("its pickle pops from an empty stack");
    *index = stack_.back();
    stack_.pop_back();
    return true;
  }
  PickleValue& top() { return out_.values[stack_.back()]; }
  bool need(size_t n) {
    const size_t floor = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() < floor + n) return fail("its pickle pops from an empty stack");
    return true;
  }
  // Everything above the last MARK, which is removed.
  bool pop_mark(std::vector<uint32_t>* items) {
    if (marks_.empty()) return fail("its pickle has no MARK where one is needed");
    const size_t mark = marks_.back();
    marks_.pop_back();
    items->assign(stack_.begin() + mark, stack_.end());
    stack_.resize(mark);
    return true;
  }
  bool push_sequence(Kind kind, std::vector<uint32_t> items) {
    if (!charge(items.size())) return false;
    PickleValue* value;
    if (!push_new(kind, &value)) return false;
    value->items = std::move(items);
    return true;
  }
  bool tuple_of(size_t n) {
    if (!need(n)) return false;
    std::vector<uint32_t> items(stack_.end() - n, stack_.end());
    stack_.resize(stack_.size() - n);
    return push_sequence(Kind::tuple, std::move(items));
  }
  // APPEND(S), SETITEM(S), ADDITEMS: add to the container below the items.
  bool extend(Kind container, const std::vector<uint32_t>& items, const char* opcode) {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      return fail(std::string("its pickle has ") + opcode + " without a container");
    PickleValue& target = top();
    if (target.kind != container) return fail(std::string("its pickle has ") + opcode + " on the wrong kind of value");
    if (container == Kind::dict && items.size() % 2 != 0) return fail("its pickle has a key without a value");
    if (!charge(items.size())) return false;
    target.items.insert(target.items.end(), items.begin(), items.end());
    return true;
  }

  // --- GLOBAL, calls and persistent ids ------------------------------------------
  bool push_global(const std::string module, const std::string name) {  // by value: see STACK_GLOBAL
    Callable callable;
    TorchDtype dtype = TorchDtype::float32;
    if (!classify_global(module, name, &callable, &dtype, &error_)) return false;
    PickleValue* value;
    if (!push_new(Kind::global, &value)) return false;
    value->text = printable(module + "." + name, 200);  // it reaches messages
    value->integer = static_cast<int64_t>(callable) << 8 | static_cast<int64_t>(dtype);
    return true;
  }
  static Callable callable_of(const PickleValue& global) { return static_cast<Callable>(global.integer >> 8); }

  const PickleValue& value(uint32_t index) const { return out_.values[index]; }

  bool int_tuple(uint32_t index, std::vector<int64_t>* out) {
    const PickleValue& v = value(index);
    if (v.kind != Kind::tuple || v.items.size() > kPickleMaxDims) return false;
    out->clear();
    for (uint32_t item : v.items) {
      if (value(item).kind != Kind::integer) return false;
      out->push_back(value(item).integer);
    }
    return true;
  }

  // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])
  bool rebuild_tensor(const std::vector<uint32_t>& args) {
    PickleTensor tensor;
    if (args.size() < 4 || args.size() > 7 || value(args[0]).kind != Kind::storage ||
        value(args[1]).kind != Kind::integer || !int_tuple(args[2], &tensor.sizes) ||
        !int_tuple(args[3], &tensor.strides) || tensor.sizes.size() != tensor.strides.size())
      return fail("its pickle rebuilds a tensor from malformed arguments");
    tensor.storage = static_cast<uint32_t>(value(args[0]).integer);
    tensor.offset = value(args[1]).integer;
    PickleValue* result;
    if (!push_new(Kind::tensor, &result)) return false;
    result->integer = static_cast<int64_t>(out_.tensors.size());
    out_.tensors.push_back(std::move(tensor));
    return true;
  }

  bool reduce() {
    uint32_t args_index, callable_index;
    if (!pop(&args_index) || !pop(&callable_index)) return false;
    const PickleValue& callable = value(callable_index);
    const PickleValue& args = value(args_index);
    if (callable.kind != Kind::global) return fail("its pickle calls something that is not a class or function");
    if (args.kind != Kind::tuple) return fail("its pickle calls " + callable.text + " without an argument tuple");
    const std::vector<uint32_t> items = args.items;
    switch (callable_of(callable)) {
      case Callable::ordered_dict:
      case Callable::set: {
        const Kind kind = callable_of(callable) == Callable::set ? Kind::set : Kind::dict;
        if (items.empty()) return push_new(kind);
        if (items.size() != 1 || value(items[0]).kind != Kind::list)
          return fail("its pickle builds " + callable.text + " from unexpected arguments");
        std::vector<uint32_t> elements;
        if (!charge(value(items[0]).items.size())) return false;
        for (uint32_t item : value(items[0]).items) {
          if (kind == Kind::set) {
            elements.push_back(item);
          } else {
            const PickleValue& pair = value(item);
            if (pair.kind != Kind::tuple || pair.items.size() != 2)
              return fail("its pickle builds an OrderedDict from something other than pairs");
            elements.insert(elements.end(), pair.items.begin(), pair.items.end());
          }
        }
        return push_sequence(kind, std::move(elements));
      }
      case Callable::rebuild_tensor:
        return rebuild_tensor(items);
      case Callable::rebuild_parameter:  // (tensor, requires_grad, hooks): the tensor itself
        if (items.size() != 3 || value(items[0]).kind != Kind::tensor)
          return fail("its pickle rebuilds a parameter from malformed arguments");
        return push_index(items[0]);
      case Callable::storage_type:
      case Callable::module_class:
        break;
    }
    return fail("it asks to call " + callable.text + "; a model file never needs that");
  }

  bool newobj() {
    uint32_t args_index, class_index;
    if (!pop(&args_index) || !pop(&class_index)) return false;
    const PickleValue& cls = value(class_index);
    if (cls.kind != Kind::global) return fail("its pickle instantiates something that is not a class");
    switch (callable_of(cls)) {
      case Callable::module_class: {
        const std::string name = cls.text;
        PickleValue* object;
        if (!push_new(Kind::object, &object)) return false;
        object->text = name;
        return true;
      }
      case Callable::ordered_dict: return push_new(Kind::dict);
      case Callable::set: return push_new(Kind::set);
      default: return fail("it asks to create a " + cls.text + "; a model file never needs that");
    }
  }

  bool build() {
    uint32_t state_index;
    if (!pop(&state_index) || !need(1)) return false;
    PickleValue& target = top();
    // Only module objects keep their state; for dicts (an OrderedDict's
    // _metadata) and tensors it is plain data that this reader does not need.
    if (target.kind != Kind::object) return true;
    const PickleValue& state = value(state_index);
    if (state.kind == Kind::dict) {
      target.items = {state_index};
    } else if (state.kind == Kind::tuple && !state.items.empty() && value(state.items[0]).kind == Kind::dict) {
      target.items = {state.items[0]};
    } else {
      return fail("its pickle gives " + printable(target.text) + " a state that is not a dict");
    }
    return true;
  }

  // ('storage', torch.<Type>Storage, key, location, numel), and in the legacy
  // format a sixth element, view_metadata (None), or a class's record
  // ('module', class, source file, source), which stands for the class.
  bool persistent_load() {
    uint32_t pid_index;
    if (!pop(&pid_index)) return false;
    const PickleValue& pid = value(pid_index);
    const auto item = [&](size_t i, Kind kind) {
      return pid.kind == Kind::tuple && pid.items.size() > i && value(pid.items[i]).kind == kind ? &value(pid.items[i])
                                                                                                  : nullptr;
    };
    const bool legacy = format_ == PickleFormat::legacy;
    const PickleValue* tag = item(0, Kind::text);
    if (legacy && tag && tag->text == "module") {
      const PickleValue* cls = item(1, Kind::global);
      const auto text_or_none = [&](size_t i) { return item(i, Kind::text) || item(i, Kind::none); };
      if (pid.items.size() != 4 || !cls || callable_of(*cls) != Callable::module_class || !text_or_none(2) ||
          !text_or_none(3))
        return fail("its pickle holds a class record that is not a module class's");
      return push_index(pid.items[1]);
    }
    const size_t length = legacy ? 6 : 5;
    if (legacy && pid.kind == Kind::tuple && pid.items.size() == 6 && tag && tag->text == "storage" &&
        !item(5, Kind::none))
      return fail("its pickle holds a view of a storage (legacy view metadata), which this reader does not support");
    const PickleValue *type = item(1, Kind::global), *key = item(2, Kind::text), *location = item(3, Kind::text),
                      *numel = item(4, Kind::integer);
    if (pid.kind != Kind::tuple || pid.items.size() != length || !tag || tag->text != "storage" || !type ||
        callable_of(*type) != Callable::storage_type || !key || !location || !numel || numel->integer < 0)
      return fail("its pickle holds a persistent record that is not a torch storage");
    PickleStorage storage;
    storage.dtype = static_cast<TorchDtype>(type->integer & 0xFF);
    storage.key = key->text;
    storage.location = location->text;
    storage.numel = numel->integer;
    PickleValue* result;
    if (!push_new(Kind::storage, &result)) return false;
    result->integer = static_cast<int64_t>(out_.storages.size());
    out_.storages.push_back(std::move(storage));
    return true;
  }

  bool memo_put(uint32_t key) {
    if (!need(1)) return false;
    if (memo_.size() >= kPickleMaxValues && !memo_.count(key)) return fail("its pickle's memo is too large");
    memo_[key] = stack_.back();
    return true;
  }
  bool memo_get(uint32_t key) {
    const auto found = memo_.find(key);
    if (found == memo_.end()) return fail("its pickle refers to memo entry " + std::to_string(key) + ", never stored");
    return push_index(found->second);
  }

  bool loop();
};

bool Unpickler::loop() {
  uint64_t n;
  const uint8_t* bytes;
  std::vector<uint32_t> items;
  while (p_ < end_) {
    const size_t at = p_ - begin_;
    const uint8_t op = *p_++;
    switch (op) {
      case 0x80:  // PROTO
        if (!take_uint(1, &n)) return false;
        if (n > 5) return fail("its pickle has protocol " + std::to_string(n));
        break;
      case 0x95:  // FRAME: a length hint only
        if (!take_uint(8, &n)) return false;
        break;
      case '.': {  // STOP
        if (stack_.size() != 1 || !marks_.empty()) return fail("its pickle ends with a malformed stack");
        out_.root = stack_.back();
        return true;
      }
      case '(': marks_.push_back(stack_.size()); break;  // MARK
      case '0': {  // POP
        uint32_t dropped;
        if (!pop(&dropped)) return false;
        break;
      }
      case '1': if (!pop_mark(&items)) return false; break;      // POP_MARK
      case '2': if (!need(1) || !push_index(stack_.back())) return false; break;  // DUP
      case 'N': if (!push_new(Kind::none)) return false; break;
      case 0x88: case 0x89: {  // NEWTRUE, NEWFALSE
        PickleValue* v;
        if (!push_new(Kind::boolean, &v)) return false;
        v->integer = op == 0x88;
        break;
      }
      case 'J': if (!take_uint(4, &n) || !push_integer(static_cast<int32_t>(n))) return false; break;  // BININT
      case 'K': if (!take_uint(1, &n) || !push_integer(static_cast<int64_t>(n))) return false; break;  // BININT1
      case 'M': if (!take_uint(2, &n) || !push_integer(static_cast<int64_t>(n))) return false; break;  // BININT2
      case 0x8a: {  // LONG1: little-endian two's complement of n bytes
        uint64_t length;
        if (!take_uint(1, &length)) return false;
        if (length > 8) return fail("its pickle holds an integer wider than 64 bits");
        uint64_t v = 0;
        if (length > 0 && !take_uint(length, &v)) return false;
        if (length > 0 && length < 8 && (v >> (8 * length - 1)) & 1) v |= ~uint64_t{0} << (8 * length);
        if (!push_integer(static_cast<int64_t>(v))) return false;
        break;
      }
      case 'G': {  // BINFLOAT: big-endian double
        if (!take(8, &bytes)) return false;
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = bits << 8 | bytes[i];
        PickleValue* v;
        if (!push_new(Kind::real, &v)) return false;
        std::memcpy(&v->real, &bits, 8);
        break;
      }
      case 'X': if (!take_uint(4, &n) || !push_string(Kind::text, n)) return false; break;     // BINUNICODE
      case 0x8c: if (!take_uint(1, &n) || !push_string(Kind::text, n)) return false; break;    // SHORT_BINUNICODE
      case 0x8d: if (!take_uint(8, &n) || !push_string(Kind::text, n)) return false; break;    // BINUNICODE8
      case 'U': if (!take_uint(1, &n) || !push_string(Kind::text, n)) return false; break;     // SHORT_BINSTRING
      case 'T': if (!take_uint(4, &n) || !push_string(Kind::text, n)) return false; break;     // BINSTRING
      case 'C': if (!take_uint(1, &n) || !push_string(Kind::bytes, n)) return false; break;    // SHORT_BINBYTES
      case 'B': if (!take_uint(4, &n) || !push_string(Kind::bytes, n)) return false; break;    // BINBYTES
      case 0x8e: if (!take_uint(8, &n) || !push_string(Kind::bytes, n)) return false; break;   // BINBYTES8
      case ')': if (!push_new(Kind::tuple)) return false; break;                                // EMPTY_TUPLE
      case 0x85: if (!tuple_of(1)) return false; break;                                         // TUPLE1
      case 0x86: if (!tuple_of(2)) return false; break;                                         // TUPLE2
      case 0x87: if (!tuple_of(3)) return false; break;                                         // TUPLE3
      case 't': if (!pop_mark(&items) || !push_sequence(Kind::tuple, items)) return false; break;  // TUPLE
      case ']': if (!push_new(Kind::list)) return false; break;                                 // EMPTY_LIST
      case 'l': if (!pop_mark(&items) || !push_sequence(Kind::list, items)) return false; break;   // LIST
      case '}': if (!push_new(Kind::dict)) return false; break;                                 // EMPTY_DICT
      case 'd':                                                                                 // DICT
        if (!pop_mark(&items)) return false;
        if (items.size() % 2 != 0) return fail("its pickle has a key without a value");
        if (!push_sequence(Kind::dict, items)) return false;
        break;
      case 0x8f: if (!push_new(Kind::set)) return false; break;                                 // EMPTY_SET
      case 'a': {                                                                               // APPEND
        uint32_t item;
        if (!pop(&item) || !extend(Kind::list, {item}, "APPEND")) return false;
        break;
      }
      case 'e': if (!pop_mark(&items) || !extend(Kind::list, items, "APPENDS")) return false; break;
      case 's': {                                                                               // SETITEM
        uint32_t key, v;
        if (!pop(&v) || !pop(&key) || !extend(Kind::dict, {key, v}, "SETITEM")) return false;
        break;
      }
      case 'u': if (!pop_mark(&items) || !extend(Kind::dict, items, "SETITEMS")) return false; break;
      case 0x90: if (!pop_mark(&items) || !extend(Kind::set, items, "ADDITEMS")) return false; break;
      case 'c': {  // GLOBAL module\nname\n
        std::string module, name;
        if (!take_line(&module) || !take_line(&name) || !push_global(module, name)) return false;
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        uint32_t name, module;
        if (!pop(&name) || !pop(&module)) return false;
        if (value(name).kind != Kind::text || value(module).kind != Kind::text)
          return fail("its pickle has a malformed STACK_GLOBAL");
        // Copies: push_global adds to the arena, which may move these strings.
        const std::string module_text = value(module).text, name_text = value(name).text;
        if (!push_global(module_text, name_text)) return false;
        break;
      }
      case 'R': if (!reduce()) return false; break;            // REDUCE
      case 0x81: if (!newobj()) return false; break;           // NEWOBJ
      case 'b': if (!build()) return false; break;             // BUILD
      case 'Q': if (!persistent_load()) return false; break;   // BINPERSID
      case 'q': if (!take_uint(1, &n) || !memo_put(static_cast<uint32_t>(n))) return false; break;  // BINPUT
      case 'r': if (!take_uint(4, &n) || !memo_put(static_cast<uint32_t>(n))) return false; break;  // LONG_BINPUT
      case 0x94: if (!memo_put(static_cast<uint32_t>(memo_.size()))) return false; break;          // MEMOIZE
      case 'h': if (!take_uint(1, &n) || !memo_get(static_cast<uint32_t>(n))) return false; break;  // BINGET
      case 'j': if (!take_uint(4, &n) || !memo_get(static_cast<uint32_t>(n))) return false; break;  // LONG_BINGET
      case 'i': return fail("it uses pickle opcode INST, which calls code; a model file never needs that");
      case 'o': return fail("it uses pickle opcode OBJ, which calls code; a model file never needs that");
      case 0x92: return fail("it uses pickle opcode NEWOBJ_EX, which torch.save never writes");
      case 0x82: case 0x83: case 0x84:
        return fail("it uses the pickle extension registry (EXT), which calls code; a model file never needs that");
      default: {
        static const char hex[] = "0123456789abcdef";
        return fail(std::string("it holds an unknown pickle opcode 0x") + hex[op >> 4] + hex[op & 15] +
                    " at byte " + std::to_string(at));
      }
    }
  }
  return truncated();
}

}  // namespace

size_t torch_dtype_size(TorchDtype dtype) {
  switch (dtype) {
    case TorchDtype::float64: case TorchDtype::int64: return 8;
    case TorchDtype::float32: case TorchDtype::int32: return 4;
    case TorchDtype::float16: case TorchDtype::bfloat16: case TorchDtype::int16: return 2;
    case TorchDtype::int8: case TorchDtype::uint8: case TorchDtype::boolean: return 1;
  }
  return 1;
}

const char* torch_dtype_name(TorchDtype dtype) {
  switch (dtype) {
    case TorchDtype::float32: return "float32";
    case TorchDtype::float16: return "float16";
    case TorchDtype::float64: return "float64";
    case TorchDtype::bfloat16: return "bfloat16";
    case TorchDtype::int64: return "int64";
    case TorchDtype::int32: return "int32";
    case TorchDtype::int16: return "int16";
    case TorchDtype::int8: return "int8";
    case TorchDtype::uint8: return "uint8";
    case TorchDtype::boolean: return "bool";
  }
  return "?";
}

bool pickle_load(const uint8_t* data, size_t size, Pickle* out, std::string* error) {
  size_t consumed;
  return pickle_load(data, size, PickleFormat::zip, out, &consumed, error);
}

bool pickle_load(const uint8_t* data, size_t size, PickleFormat format, Pickle* out, size_t* consumed,
                 std::string* error) {
  Pickle pickle;
  Unpickler unpickler(data, size, format, &pickle);
  if (!unpickler.run(error)) return false;
  *consumed = unpickler.consumed();
  *out = std::move(pickle);
  return true;
}

const PickleValue* pickle_dict_get(const Pickle& pickle, const PickleValue& dict, const char* key) {
  if (dict.kind != PickleValue::Kind::dict) return nullptr;
  for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const PickleValue& k = pickle.at(dict.items[i]);
    if (k.kind == PickleValue::Kind::text && k.text == key) return &pickle.at(dict.items[i + 1]);
  }
  return nullptr;
}

}  // namespace lp
