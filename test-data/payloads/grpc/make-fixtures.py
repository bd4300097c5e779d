#!/usr/bin/python3
"""Writes gRPC and protobuf request bodies encoded by python3-protobuf (an encoder independent of
Umbra's walker) and fixtures.json, which lists for each body its content type, the encoding to
pass (the grpc-encoding header), and the segments Umbra's payload extractor must give: the exact
text and the location. Read by GrpcPayloadTest.

    /usr/bin/python3 make-fixtures.py      (writes the *.bin files and fixtures.json beside it)

Needs: apt-get install python3-protobuf python3-grpcio (3.21 / 1.51 on Debian 12). Message types
are built at run time from a FileDescriptorProto (no protoc): subsets of Triton's
grpc_service.proto (ModelInferRequest), TensorFlow Serving's predict.proto (PredictRequest),
TorchServe's inference.proto (PredictionsRequest), a chat-style request of the shape self-hosted
gateways use, and nesting cases. The gRPC framing (1-byte flag, 4-byte big-endian length) is
written here from the spec, except in grpcio-gzip.bin: that one is what a real python3-grpcio
client sent with gzip compression, recorded on 127.0.0.1 (the DATA frames of its first request).
Deterministic apart from that recording. Every sensitive value is synthetic.

Locations follow PayloadExtractor: body:grpc[<message>] or body:protobuf, then the field numbers
from the top; a field met more than once in its message gets its index ("2[1]"); a whole-JSON
string is walked by the JSON path under its field (":prompt").
"""
import base64
import gzip
import importlib.util
import json
import os
import struct
import zlib

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))
F = descriptor_pb2.FieldDescriptorProto

# ---- message types ----

fdp = descriptor_pb2.FileDescriptorProto(name="umbra_fixtures.proto", package="fixtures", syntax="proto3")


def message(name, fields, nested=()):
    """fields: (name, number, type, label, type_name); nested: DescriptorProtos inside it."""
    m = descriptor_pb2.DescriptorProto(name=name)
    for fname, number, ftype, label, type_name in fields:
        f = m.field.add(name=fname, number=number, type=ftype, label=label)
        if type_name:
            f.type_name = type_name
    for n in nested:
        m.nested_type.add().CopyFrom(n)
    return m


def map_entry(name, value_type, value_type_name=None):
    e = message(name, [("key", 1, F.TYPE_STRING, F.LABEL_OPTIONAL, None),
                       ("value", 2, value_type, F.LABEL_OPTIONAL, value_type_name)])
    e.options.map_entry = True
    return e


OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED
STR, BYT, MSG, I64, BOOL, DBL, FLT, U32, I32 = (F.TYPE_STRING, F.TYPE_BYTES, F.TYPE_MESSAGE, F.TYPE_INT64,
                                                  F.TYPE_BOOL, F.TYPE_DOUBLE, F.TYPE_FLOAT, F.TYPE_UINT32, F.TYPE_INT32)

# Triton (inference.GRPCInferenceService, grpc_service.proto)
infer_parameter = message("InferParameter", [("bool_param", 1, BOOL, OPT, None), ("int64_param", 2, I64, OPT, None),
                                             ("string_param", 3, STR, OPT, None), ("double_param", 4, DBL, OPT, None)])
infer_input = message("InferInputTensor", [
    ("name", 1, STR, OPT, None), ("datatype", 2, STR, OPT, None), ("shape", 3, I64, REP, None),
    ("parameters", 4, MSG, REP, ".fixtures.ModelInferRequest.InferInputTensor.ParametersEntry")],
    [map_entry("ParametersEntry", MSG, ".fixtures.InferParameter")])
infer_output = message("InferRequestedOutputTensor", [("name", 1, STR, OPT, None)])
model_infer = message("ModelInferRequest", [
    ("model_name", 1, STR, OPT, None), ("model_version", 2, STR, OPT, None), ("id", 3, STR, OPT, None),
    ("parameters", 4, MSG, REP, ".fixtures.ModelInferRequest.ParametersEntry"),
    ("inputs", 5, MSG, REP, ".fixtures.ModelInferRequest.InferInputTensor"),
    ("outputs", 6, MSG, REP, ".fixtures.ModelInferRequest.InferRequestedOutputTensor"),
    ("raw_input_contents", 7, BYT, REP, None)],
    [map_entry("ParametersEntry", MSG, ".fixtures.InferParameter"), infer_input, infer_output])

# TensorFlow Serving (tensorflow.serving.PredictionService, predict.proto; tensor.proto, DT_STRING = 7)
model_spec = message("ModelSpec", [("name", 1, STR, OPT, None), ("signature_name", 3, STR, OPT, None)])
dim = message("Dim", [("size", 1, I64, OPT, None), ("name", 2, STR, OPT, None)])
tensor_shape = message("TensorShapeProto", [("dim", 2, MSG, REP, ".fixtures.TensorShapeProto.Dim")], [dim])
tensor = message("TensorProto", [("dtype", 1, I32, OPT, None),
                                 ("tensor_shape", 2, MSG, OPT, ".fixtures.TensorShapeProto"),
                                 ("string_val", 8, BYT, REP, None)])
predict = message("PredictRequest", [("model_spec", 1, MSG, OPT, ".fixtures.ModelSpec"),
                                     ("inputs", 2, MSG, REP, ".fixtures.PredictRequest.InputsEntry")],
                  [map_entry("InputsEntry", MSG, ".fixtures.TensorProto")])

# TorchServe (org.pytorch.serve.grpc.inference.InferenceAPIsService, inference.proto)
predictions = message("PredictionsRequest", [("model_name", 1, STR, OPT, None), ("model_version", 2, STR, OPT, None),
                                             ("input", 3, MSG, REP, ".fixtures.PredictionsRequest.InputEntry")],
                      [map_entry("InputEntry", BYT)])

# map fields are serialized deterministically (keys sorted), so their indices in locations are stable
# a chat-style request (the shape of OpenAI's chat API, as self-hosted gateways define it in proto)
chat_message = message("ChatMessage", [("role", 1, STR, OPT, None), ("content", 2, STR, OPT, None)])
chat = message("ChatRequest", [("model", 1, STR, OPT, None), ("messages", 2, MSG, REP, ".fixtures.ChatMessage"),
                               ("temperature", 3, FLT, OPT, None), ("max_tokens", 4, U32, OPT, None)])

# nesting: Box {1: text}; Leaf {1: s65, 2: s300}; Inner {1: note, 2: leaf, 3: box}; Outer {1: inner, 2: id}
box = message("Box", [("text", 1, STR, OPT, None)])
leaf = message("Leaf", [("s65", 1, STR, OPT, None), ("s300", 2, STR, OPT, None)])
inner = message("Inner", [("note", 1, STR, OPT, None), ("leaf", 2, MSG, OPT, ".fixtures.Leaf"),
                          ("box", 3, MSG, OPT, ".fixtures.Box")])
outer = message("Outer", [("inner", 1, MSG, OPT, ".fixtures.Inner"), ("id", 2, U32, OPT, None)])
deep = message("Deep", [("child", 1, MSG, OPT, ".fixtures.Deep"), ("text", 2, STR, OPT, None)])
texts = message("Texts", [("text", 1, STR, REP, None), ("blob", 2, BYT, OPT, None)])

for m in (infer_parameter, model_infer, model_spec, tensor_shape, tensor, predict, predictions, chat_message, chat,
          box, leaf, inner, outer, deep, texts):
    fdp.message_type.add().CopyFrom(m)
pool = descriptor_pool.DescriptorPool()
pool.Add(fdp)
factory = message_factory.MessageFactory(pool)


def new(name):
    # GetPrototype in protobuf 3.21 / 4.21 (GetMessageClass from 4.22 on)
    return factory.GetPrototype(pool.FindMessageTypeByName("fixtures." + name))()


# ---- bodies ----

SSN = "536-22-1234"
AWS_KEY = "AKIASYNTHETIC4KEY2QZ"
EMAIL = "maria.synthetic@example.org"
PROMPT = ("Summarise this support ticket for the on-call engineer.\n"
          "Customer: Maria Synthetic <" + EMAIL + ">, SSN " + SSN + ".\n"
          "She pasted her config:\n"
          "[default]\naws_access_key_id = " + AWS_KEY + "\n"
          "Keep it under 50 words.")
S65 = "The quick brown fox jumps over the lazy dog; synthetic text of 65"
S300 = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
        "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
        "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillu")
assert len(S65.encode()) == 65 and len(S300.encode()) == 300, (len(S65), len(S300))

fixtures = []


def frame(msg_bytes, flag=0):
    return struct.pack(">BI", flag, len(msg_bytes)) + msg_bytes


def write(name, body, content_type, encoding, segments, note):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(body)
    fixtures.append({"file": name, "content_type": content_type, "encoding": encoding, "note": note,
                     "segments": [{"location": loc, "text": text} for loc, text in segments]})


# Triton ModelInfer of a text model: the prompt as a BYTES tensor in raw_input_contents, each element
# a 4-byte little-endian length and the bytes (as tritonclient serializes it)
r = new("ModelInferRequest")
r.model_name = "llama-3-8b-instruct"
r.model_version = "1"
r.id = "req-7f3a"
r.parameters["sequence_id"].int64_param = 42
r.parameters["priority_note"].string_param = "triage"
i = r.inputs.add()
i.name = "text_input"
i.datatype = "BYTES"
i.shape.extend([1, 1])
r.outputs.add().name = "text_output"
r.raw_input_contents.append(struct.pack("<I", len(PROMPT.encode())) + PROMPT.encode())
write("triton-infer.bin", frame(r.SerializeToString(deterministic=True)), "application/grpc", None, [
    ("body:grpc[0].1", "llama-3-8b-instruct"), ("body:grpc[0].2", "1"), ("body:grpc[0].3", "req-7f3a"),
    ("body:grpc[0].4[0].1", "priority_note"), ("body:grpc[0].4[0].2.3", "triage"),
    ("body:grpc[0].4[1].1", "sequence_id"), ("body:grpc[0].5.1", "text_input"), ("body:grpc[0].5.2", "BYTES"),
    ("body:grpc[0].6.1", "text_output"), ("body:grpc[0].7(element[0])", PROMPT)],
    "Triton ModelInferRequest, prompt in a BYTES tensor of raw_input_contents")

# chat-style request: a system and a user message, the user one multi-line with synthetic PII and a key
c = new("ChatRequest")
c.model = "mixtral-8x7b"
m = c.messages.add()
m.role, m.content = "system", "You are a helpful assistant."
m = c.messages.add()
m.role, m.content = "user", PROMPT
c.temperature = 0.2
c.max_tokens = 256
chat_bytes = c.SerializeToString(deterministic=True)
chat_segments = [("body:grpc[0].1", "mixtral-8x7b"), ("body:grpc[0].2[0].1", "system"),
                 ("body:grpc[0].2[0].2", "You are a helpful assistant."), ("body:grpc[0].2[1].1", "user"),
                 ("body:grpc[0].2[1].2", PROMPT)]
write("chat.bin", frame(chat_bytes), "application/grpc+proto", None, chat_segments,
      "chat-style request, multi-line prompt with a synthetic SSN, e-mail and AWS key")

# the same as Connect streaming and as gRPC-Web (with a trailers frame after it, skipped)
write("chat-connect.bin", frame(chat_bytes), "application/connect+proto", None, chat_segments,
      "chat-style request, Connect envelope")
trailer = b"grpc-status:0\r\ngrpc-message:synthetic-trailer-not-a-request\r\n"
write("chat-grpc-web.bin", frame(chat_bytes) + frame(trailer, 0x80), "application/grpc-web+proto", None,
      chat_segments, "chat-style request, gRPC-Web with a trailers frame")

# nesting: a 65-byte string alone in a message (bytes 0a 41 ..., all printable), a 300-byte one, a
# message 20 deep, as an unframed application/x-protobuf body
o = new("Outer")
o.inner.note = "n"
o.inner.leaf.s65 = S65
o.inner.leaf.s300 = S300
o.inner.box.text = S65
o.id = 9
d = new("Deep")
cur = d
for level in range(20):
    cur.text = "level %d" % level
    cur = cur.child
cur.text = "deepest: " + S65
nested_segments = [("body:protobuf.1.1", "n"), ("body:protobuf.1.2.1", S65), ("body:protobuf.1.2.2", S300),
                   ("body:protobuf.1.3.1", S65)]
write("nested.bin", o.SerializeToString(deterministic=True), "application/x-protobuf", None, nested_segments,
      "65- and 300-byte strings in nested messages; a message holding only a 65-byte string")
deep_segments = [("body:protobuf" + ".1" * level + ".2", "level %d" % level) for level in range(20)]
deep_segments.append(("body:protobuf" + ".1" * 20 + ".2", "deepest: " + S65))
write("deep.bin", d.SerializeToString(deterministic=True), "application/protobuf", None, deep_segments, "a message 20 deep")

# UTF-8 text of several scripts, 1-byte and 2-byte strings, JSON text, and a bytes field of random bytes
t = new("Texts")
utf8 = ["Patientin Jürgen Müller, Diagnose: Diabetes mellitus Typ 2 — Überweisung",
        "患者の山田太郎さん、診断は高血圧です。", "Ασθενής: Γιώργος Παπαδόπουλος", "emoji 🩺💊 ok", "a", "hi",
        '{"note": "JSON as a string field", "password": "Synthetic-Passw0rd-41"}']
t.text.extend(utf8)
t.blob = bytes(range(256))
utf8_segments = [("body:grpc[0].1[%d]" % k, s) for k, s in enumerate(utf8[:6])]
utf8_segments += [("body:grpc[0].1[6]:note", "note: JSON as a string field"),
                  ("body:grpc[0].1[6]:password", "password: Synthetic-Passw0rd-41")]
write("utf8.bin", frame(t.SerializeToString(deterministic=True)), "application/grpc", None, utf8_segments,
      "UTF-8 strings, 1- and 2-byte strings, a whole-JSON string, a bytes field of every octet")

# client streaming: three chat requests in one body
stream = b""
stream_segments = []
for k, (role, content) in enumerate([("user", "first message"), ("assistant", "second\nmessage"),
                                     ("user", "third message with SSN " + SSN)]):
    c = new("ChatRequest")
    c.model = "m%d" % k
    m = c.messages.add()
    m.role, m.content = role, content
    stream += frame(c.SerializeToString(deterministic=True))
    stream_segments += [("body:grpc[%d].1" % k, "m%d" % k), ("body:grpc[%d].2.1" % k, role),
                        ("body:grpc[%d].2.2" % k, content)]
write("stream.bin", stream, "application/grpc", None, stream_segments, "three messages in one body")

# compressed messages: gzip (grpc-encoding: gzip, flag 1) and deflate (zlib stream), and one
# uncompressed message after a compressed one (the flag is per message)
write("chat-gzip.bin", frame(gzip.compress(chat_bytes, mtime=0), 1) + frame(b"\x0a\x05after", 0),
      "application/grpc", "gzip", chat_segments + [("body:grpc[1].1", "after")],
      "gzip-compressed message (flag 1), then an uncompressed one")
write("chat-deflate.bin", frame(zlib.compress(chat_bytes), 1), "application/grpc", "deflate", chat_segments,
      "deflate-compressed message (zlib)")

# TorchServe with a JSON document in a bytes map value, through the JSON path
p = new("PredictionsRequest")
p.model_name = "llm"
p.input["data"] = json.dumps({"prompt": "Draft a reply to " + EMAIL, "api_key": "sk-synthetic"}).encode()
write("torchserve.bin", frame(p.SerializeToString(deterministic=True)), "application/grpc", None, [
    ("body:grpc[0].1", "llm"), ("body:grpc[0].3.1", "data"),
    ("body:grpc[0].3.2:prompt", "Draft a reply to " + EMAIL), ("body:grpc[0].3.2:api_key", "api_key: sk-synthetic")],
    "TorchServe PredictionsRequest, a JSON document in map<string, bytes> input")

# TensorFlow Serving Predict with DT_STRING inputs in string_val
q = new("PredictRequest")
q.model_spec.name = "bert-qa"
q.model_spec.signature_name = "serving_default"
tp = q.inputs["question"]
tp.dtype = 7
tp.tensor_shape.dim.add().size = 2
tp.string_val.extend([b"Who is patient Maria Synthetic?", PROMPT.encode()])
write("tfserving-predict.bin", frame(q.SerializeToString(deterministic=True)), "application/grpc", None, [
    ("body:grpc[0].1.1", "bert-qa"), ("body:grpc[0].1.3", "serving_default"), ("body:grpc[0].2.1", "question"),
    ("body:grpc[0].2.2.8[0]", "Who is patient Maria Synthetic?"), ("body:grpc[0].2.2.8[1]", PROMPT)],
    "TensorFlow Serving PredictRequest, DT_STRING tensor in string_val")

# gRPC-Web text: two messages, each base64-encoded on its own with its padding, concatenated
m1, m2 = new("ChatRequest"), new("ChatRequest")
m1.model = "web-one"
m2.model = "web-two-2"
f1, f2 = frame(m1.SerializeToString(deterministic=True)), frame(m2.SerializeToString(deterministic=True))
assert len(f1) % 3 and len(f2) % 3  # both chunks padded
write("grpc-web-text.bin", base64.b64encode(f1) + base64.b64encode(f2), "application/grpc-web-text", None,
      [("body:grpc[0].1", "web-one"), ("body:grpc[1].1", "web-two-2")],
      "gRPC-Web text: two base64 chunks, each with its own padding")

# gRPC JSON (application/grpc+json): the message as proto3 JSON (json_format), through the JSON path
c = new("ChatRequest")
c.model = "json-model"
m = c.messages.add()
m.role, m.content = "user", "hello over grpc+json, SSN " + SSN
write("chat-json.bin", frame(json_format.MessageToJson(c, indent=None).encode()), "application/grpc+json", None, [
    ("body:grpc[0]:model", "model: json-model"), ("body:grpc[0]:messages[0].role", "role: user"),
    ("body:grpc[0]:messages[0].content", "hello over grpc+json, SSN " + SSN)],
    "a gRPC message in proto3 JSON")


# ---- a real grpcio client with gzip compression, recorded on 127.0.0.1 ----

def record_grpcio_gzip(request):
    """The body (DATA frames of stream 1) a python3-grpcio client sends for one call with gzip."""
    import grpc
    from hpack import Decoder

    # the listener of ../../h2c/record-openings.py: it answers SETTINGS only, never the call
    spec = importlib.util.spec_from_file_location(
        "record_openings", os.path.join(HERE, "..", "..", "h2c", "record-openings.py"))
    openings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(openings)

    def call(port):
        with grpc.insecure_channel("127.0.0.1:%d" % port, options=[("grpc.enable_http_proxy", 0)],
                                   compression=grpc.Compression.Gzip) as channel:
            try:
                channel.unary_unary("/fixtures.Chat/Complete")(request, timeout=2)
            except grpc.RpcError:
                pass  # the listener never answers

    data = openings.capture_opening(call, quiet=0.7)
    assert data.startswith(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), data[:24]
    p, body, headers = 24, b"", []
    while p + 9 <= len(data):
        length = int.from_bytes(data[p:p + 3], "big")
        ftype, flags, stream = data[p + 3], data[p + 4], int.from_bytes(data[p + 5:p + 9], "big") & 0x7fffffff
        payload = data[p + 9:p + 9 + length]
        if stream == 1 and ftype == 0:
            body += payload
        elif stream == 1 and ftype == 1:
            headers = Decoder().decode(payload)
        p += 9 + length
    names = dict((n.decode() if isinstance(n, bytes) else n, v) for n, v in headers)
    enc = names.get("grpc-encoding")
    enc = enc.decode() if isinstance(enc, bytes) else enc
    assert enc == "gzip", names
    assert body[0] == 1, "grpcio sent the message uncompressed"
    return body


c = new("ChatRequest")
c.model = "grpcio-gzip"
m = c.messages.add()
# long and repetitive, so that gzip makes it smaller (grpc core sends a message uncompressed otherwise)
m.role, m.content = "user", PROMPT + "\n" + "Repeat the summary for each shift.\n" * 20
write("grpcio-gzip.bin", record_grpcio_gzip(c.SerializeToString(deterministic=True)), "application/grpc", "gzip", [
    ("body:grpc[0].1", "grpcio-gzip"), ("body:grpc[0].2.1", "user"), ("body:grpc[0].2.2", m.content)],
    "recorded: what a real python3-grpcio client sent with gzip compression")

with open(os.path.join(HERE, "fixtures.json"), "w", encoding="utf-8") as out:
    json.dump({"generated_by": "make-fixtures.py; do not edit", "fixtures": fixtures}, out, indent=1,
              ensure_ascii=False)
    out.write("\n")
print(len(fixtures), "fixtures")
